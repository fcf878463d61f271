import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemPrincipal } from '../../src/auth/principal.ts';
import type { SeriesPart } from '../../src/influxql/result.ts';
import { PART_ROWS } from '../../src/influxql/series-builder.ts';
import { InfluxqlHarness } from './harness.ts';

// A SELECT streams its series in parts of PART_ROWS rows: those that pass through as the SQL reads
// them and those held whole for fill() or a transformation; `continues` is exact either way, and
// the parts joined are what the statement answers whole.

const ROWS = 2 * PART_ROWS + 904;

describe('InfluxQL series in parts over real storage', () => {
  const h = new InfluxqlHarness();
  before(async () => {
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) lines.push(`m,host=a v=${i} ${i}000000000`);
    for (let i = 0; i < 10; i++) lines.push(`m,host=b v=${i} ${i}000000000`);
    await h.database('parts', lines.join('\n'));
  });
  after(() => h.close());

  async function parts(query: string): Promise<SeriesPart[]> {
    const run = await h.service.open(systemPrincipal('test'), { database: 'parts', query });
    try {
      const out: SeriesPart[] = [];
      for await (const statement of run.statements()) {
        assert.ok(statement.parts !== undefined, 'a SELECT streams');
        for await (const part of statement.parts) out.push(part);
      }
      return out;
    } finally {
      run.close();
    }
  }

  const shape = (list: SeriesPart[]) => list.map((part) => [part.tags[0]?.[1], part.values.length, part.continues]);

  test('raw rows pass through, a series longer than a part continues exactly', async () => {
    const list = await parts('SELECT v FROM m GROUP BY host');
    assert.deepEqual(shape(list), [
      ['a', PART_ROWS, true],
      ['a', PART_ROWS, true],
      ['a', 904, false],
      ['b', 10, false],
    ]);
    const times = list.slice(0, 3).flatMap((part) => part.values.map((row) => row[0]));
    assert.deepEqual(
      times,
      Array.from({ length: ROWS }, (_, i) => BigInt(i) * 1_000_000_000n),
    );
    const [whole] = await h.query('parts', 'SELECT v FROM m GROUP BY host');
    assert.deepEqual(
      whole!.series.map((one) => one.values),
      [list.slice(0, 3).flatMap((part) => part.values), list[3]!.values],
    );
  });

  test('fill() and transformations hold one series whole, then send it in parts', async () => {
    const buckets = 2 * ROWS;
    const query = `SELECT cumulative_sum(max(v)) FROM m WHERE time >= 0 AND time < ${buckets}s GROUP BY time(1s), host fill(previous)`;
    const list = await parts(query);
    const full = Math.floor(buckets / PART_ROWS);
    const one = (host: string) => [
      ...Array.from({ length: full }, () => [host, PART_ROWS, true]),
      [host, buckets - full * PART_ROWS, false],
    ];
    assert.deepEqual(shape(list), [...one('a'), ...one('b')]);
    const [whole] = await h.query('parts', query);
    assert.deepEqual(
      whole!.series.map((series) => series.values),
      [list.slice(0, full + 1).flatMap((part) => part.values), list.slice(full + 1).flatMap((part) => part.values)],
    );
    // fill(previous) carried a's last value (ROWS - 1) to the end: the running sum grows by it per bucket.
    const a = whole!.series[0]!.values;
    assert.equal(a.at(-1)![1], ((ROWS - 1) * ROWS) / 2 + (buckets - ROWS) * (ROWS - 1));
  });
});
