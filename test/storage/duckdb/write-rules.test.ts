import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { guessTimeNs } from '../../../src/storage/lineprotocol/precision.ts';
import { database, line, openStorage } from './helpers.ts';

const parse = (text: string) => parseLineProtocolBuffer(Buffer.from(text), 'ns');

describe('write rules: atomic batches, time range, names, precision auto', () => {
  let env: ReturnType<typeof openStorage>;
  before(() => {
    env = openStorage();
  });
  after(() => env.cleanup());

  it('an atomic write with one conflicting point stores nothing, not even its new tables or columns', async () => {
    const db = database(1);
    assert.equal((await env.storage.write(db, parse('cpu,host=a usage=1 1'), 0n)).written, 1);
    const outcome = await env.storage.write(
      db,
      parse('cpu,host=b usage=2,extra=1i 2\nfresh v=1 3\ncpu,host=c usage=3i 4'),
      0n,
      { atomic: true },
    );
    assert.equal(outcome.written, 0);
    assert.deepEqual(
      outcome.rejected.map((error) => error.lineNumber),
      [3],
    );
    assert.deepEqual((await env.storage.query(db, 'SELECT host, usage FROM cpu')).rows, [['a', 1]]);
    assert.deepEqual(await env.storage.schema(db), [
      { name: 'cpu', tags: ['host'], fields: [{ name: 'usage', type: 'float' }] },
    ]);
    // The same body without atomic keeps the two good lines.
    const partial = await env.storage.write(
      db,
      parse('cpu,host=b usage=2,extra=1i 2\nfresh v=1 3\ncpu,host=c usage=3i 4'),
      0n,
    );
    assert.equal(partial.written, 2);
  });

  it('an atomic write refused inside a shared group leaves the other writes of the group stored', async () => {
    const db = database(2);
    await env.storage.write(db, parse('m v=1 1'), 0n);
    const [good, refused, other] = await Promise.all([
      env.storage.write(db, parse('m v=2 2\nn,t=x w=1 2'), 0n),
      env.storage.write(db, parse('m v=3 3,w=1i\nq v=1 1\nm v="s" 4'), 0n, { atomic: true }),
      env.storage.write(db, parse('q,a=1 v=5 5'), 0n, { atomic: true }),
    ]);
    assert.deepEqual([good.written, refused.written, other.written], [2, 0, 1]);
    assert.deepEqual((await env.storage.query(db, 'SELECT v FROM m ORDER BY v')).rows, [[1], [2]]);
    assert.deepEqual((await env.storage.query(db, 'SELECT * FROM q')).rows.length, 1);
    const names = (await env.storage.schema(db)).map((table) => [table.name, table.fields.map((f) => f.name)]);
    assert.deepEqual(names, [
      ['m', ['v']],
      ['n', ['w']],
      ['q', ['v']],
    ]);
  });

  it("refuses times outside InfluxDB's range, which DuckDB would read as infinity", async () => {
    const db = database(3);
    const outcome = await env.storage.write(
      db,
      [
        line(1, 'm', {}, { v: 1 }, 2n ** 63n - 1n),
        line(2, 'm', {}, { v: 2 }, 2n ** 63n - 2n),
        line(3, 'm', {}, { v: 3 }, -(2n ** 63n) + 1n),
        line(4, 'm', {}, { v: 4 }, -(2n ** 63n) + 2n),
      ],
      0n,
    );
    assert.deepEqual(
      outcome.rejected.map((error) => [error.lineNumber, /out of range/.test(error.message)]),
      [
        [1, true],
        [3, true],
      ],
    );
    const rows = await env.storage.query(db, 'SELECT v, CAST(epoch_ns(time) AS VARCHAR) FROM m ORDER BY v');
    assert.deepEqual(rows.rows, [
      [2, '9223372036854775806'],
      [4, '-9223372036854775806'],
    ]);
    assert.match(parse('m v=1 9223372036854775807').errors[0]!.message, /out of range/);
  });

  it('refuses a 70,000-character measurement name, control characters in names, and invalid UTF-8 lines', async () => {
    const db = database(4);
    const body = Buffer.concat([
      Buffer.from(`${'x'.repeat(70_000)} v=1 1\nok,t\u0001g=1 v=1 1\nok v=1 1\nok f\u0085=1 1\n`),
      Buffer.from([0x6f, 0x6b, 0x2c, 0x74, 0x3d, 0xc3, 0x28, 0x20, 0x76, 0x3d, 0x31]),
      Buffer.from('\nok w=2 2'),
    ]);
    const batch = parseLineProtocolBuffer(body, 'ns');
    assert.deepEqual(
      batch.errors.map((error) => [error.lineNumber, error.message]),
      [[5, 'the line is not valid UTF-8']],
    );
    const outcome = await env.storage.write(db, batch, 0n);
    assert.equal(outcome.written, 2);
    assert.deepEqual(
      outcome.rejected.map((error) => [error.lineNumber, error.message.replace(/'.*'/, "'…'")]),
      [
        [1, "measurement name '…' is longer than 512 bytes"],
        [2, "tag key '…' contains the control character U+0001"],
        [4, "field key '…' contains the control character U+0085"],
      ],
    );
    assert.ok(outcome.rejected[0]!.message.length < 200, 'the message clips the name');
    assert.deepEqual((await env.storage.query(db, 'SELECT v, w FROM ok ORDER BY time')).rows, [
      [1, null],
      [null, 2],
    ]);
  });

  it('guesses the precision the way InfluxDB 3 does: s, ms, us or ns by magnitude', () => {
    assert.equal(guessTimeNs(1_732_500_000n), 1_732_500_000_000_000_000n);
    assert.equal(guessTimeNs(-1_732_500_000n), -1_732_500_000_000_000_000n);
    assert.equal(guessTimeNs(4_999_999_999n), 4_999_999_999_000_000_000n);
    assert.equal(guessTimeNs(5_000_000_000n), 5_000_000_000_000_000n);
    assert.equal(guessTimeNs(1_732_500_000_123n), 1_732_500_000_123_000_000n);
    assert.equal(guessTimeNs(1_732_500_000_123_456n), 1_732_500_000_123_456_000n);
    assert.equal(guessTimeNs(1_732_500_000_123_456_789n), 1_732_500_000_123_456_789n);
    assert.equal(guessTimeNs(0n), 0n);
    const mixed = parseLineProtocolBuffer(
      Buffer.from('m v=1 1732500000\nm v=1 1732500000123\nm,t=a\\ b s="x" 1732500000123456\nm v=1'),
      'auto',
    );
    assert.deepEqual(
      mixed.toParsedLines().map((parsed) => parsed.point.timestampNs),
      [1_732_500_000_000_000_000n, 1_732_500_000_123_000_000n, 1_732_500_000_123_456_000n, null],
    );
  });
});
