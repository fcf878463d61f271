import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { database, openStorage } from './helpers.ts';

const LONG = 'a-tag-value-longer-than-twelve-bytes-é';

describe('DuckDbStorage writes of parsed bodies', () => {
  let env: ReturnType<typeof openStorage>;
  before(() => {
    env = openStorage();
  });
  after(() => env.cleanup());

  it('stores more than one chunk of rows with long and short strings, NULLs, and refused rows left out', async () => {
    const db = database(1);
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const host = i % 3 === 0 ? LONG : `h${i % 7}`;
      const extra = i % 2 === 0 ? `,flag=${i % 4 === 0},n=${i}u,s="x${i}"` : '';
      lines.push(`m,host=${host}${i % 5 === 0 ? ',dc=eu' : ''} v=${i}.5,c=${i}i${extra} ${i + 1}`);
    }
    // Line 4001 writes `v` as an integer: refused, the rows around it are stored.
    lines[4000] = 'm,host=x v=1i 4001';
    const outcome = await env.storage.write(db, parseLineProtocolBuffer(Buffer.from(lines.join('\n')), 'ns'), 0n);
    assert.equal(outcome.written, 4999);
    assert.deepEqual(
      outcome.rejected.map((error) => error.lineNumber),
      [4001],
    );

    const summary = await env.storage.query(
      db,
      `SELECT count(*) AS rows, count(dc) AS dc, count(flag) AS flags, sum(CAST(flag AS INT)) AS trues,
              count(*) FILTER (WHERE host = '${LONG}') AS long, sum(c) AS c, sum(n) AS n, count(s) AS s
       FROM m`,
    );
    const expected = { rows: 0, dc: 0, flags: 0, trues: 0, long: 0, c: 0, n: 0, s: 0 };
    for (let i = 0; i < 5000; i++) {
      if (i === 4000) continue;
      expected.rows++;
      if (i % 5 === 0) expected.dc++;
      if (i % 3 === 0) expected.long++;
      expected.c += i;
      if (i % 2 === 0) {
        expected.flags++;
        if (i % 4 === 0) expected.trues++;
        expected.n += i;
        expected.s++;
      }
    }
    assert.deepEqual(summary.rows, [Object.values(expected)]);

    const sample = await env.storage.query(db, 'SELECT time, host, dc, v, c, flag, n, s FROM m WHERE c IN (0, 4003)');
    assert.deepEqual(sample.rows, [
      ['1970-01-01T00:00:00.000000001Z', LONG, 'eu', 0.5, 0, true, 0, 'x0'],
      ['1970-01-01T00:00:00.000004004Z', `h${4003 % 7}`, null, 4003.5, 4003, null, null, null],
    ]);
  });
});
