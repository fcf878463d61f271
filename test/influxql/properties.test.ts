import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { formatRfc3339 as iso } from '../../src/influxql/time-literals.ts';
import { InfluxqlHarness, plain } from './harness.ts';

const T = 1_704_067_200_000_000_000n;
const MINUTE = 60_000_000_000n;
const RANGE = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z'";

interface Point {
  host: 'a' | 'b';
  offsetMs: number;
  value: number;
}

/** Points at distinct times within ten minutes of T, with integer values. */
const points = fc.uniqueArray(
  fc.record({
    host: fc.constantFrom<'a' | 'b'>('a', 'b'),
    offsetMs: fc.integer({ min: 0, max: 599_999 }),
    value: fc.integer({ min: -1000, max: 1000 }),
  }),
  { minLength: 1, maxLength: 60, selector: (point) => point.offsetMs },
);

function lines(measurement: string, data: readonly Point[]): string {
  return data
    .map((p) => `${measurement},host=${p.host} v=${p.value}i ${T + BigInt(p.offsetMs) * 1_000_000n}`)
    .join('\n');
}

describe('InfluxQL properties against a reference computed here', () => {
  const h = new InfluxqlHarness();
  // Each run writes a measurement of its own into one database (a database per run costs an engine each).
  let runs = 0;
  const database = 'props';
  const fresh = async (data: readonly Point[]) => {
    if (runs === 0) await h.database(database, '');
    const measurement = `m${runs++}`;
    await h.write(database, lines(measurement, data));
    return { database, measurement };
  };
  after(() => h.close());

  test('GROUP BY time(1m), host: count, sum, min, max and mean per bucket, fill(null) counting empty buckets 0', async () => {
    await fc.assert(
      fc.asyncProperty(points, async (data) => {
        const { database, measurement } = await fresh(data);
        const result = plain(
          await h.query(
            database,
            `SELECT count(v), sum(v), min(v), max(v), mean(v) FROM ${measurement} WHERE ${RANGE} GROUP BY time(1m), host`,
          ),
        );
        const expected = (['a', 'b'] as const)
          .filter((host) => data.some((p) => p.host === host))
          .map((host) => {
            const values = Array.from({ length: 10 }, (_, minute) => {
              const inBucket = data
                .filter((p) => p.host === host && Math.floor(p.offsetMs / 60_000) === minute)
                .map((p) => p.value);
              const time = iso(T + BigInt(minute) * MINUTE);
              if (inBucket.length === 0) return [time, 0, null, null, null, null];
              const sum = inBucket.reduce((a, b) => a + b, 0);
              return [time, inBucket.length, sum, Math.min(...inBucket), Math.max(...inBucket), sum / inBucket.length];
            });
            return {
              name: measurement,
              tags: { host },
              columns: ['time', 'count', 'sum', 'min', 'max', 'mean'],
              values,
            };
          });
        assert.equal(result.length, 1);
        const got = result[0]!.series!;
        assert.equal(got.length, expected.length);
        got.forEach((one, i) => {
          const want = expected[i]!;
          assert.deepEqual(
            { ...one, values: one.values.map((row) => row.slice(0, 5)) },
            { ...want, values: want.values.map((row) => row.slice(0, 5)) },
          );
          one.values.forEach((row, r) => {
            const mean = want.values[r]![5];
            if (mean === null) assert.equal(row[5], null);
            else assert.ok(Math.abs((row[5] as number) - (mean as number)) < 1e-9, `mean ${row[5]} vs ${mean}`);
          });
        });
      }),
      { numRuns: 25 },
    );
  });

  test('raw difference() and cumulative_sum() per host, newest first with a LIMIT', async () => {
    await fc.assert(
      fc.asyncProperty(points, fc.integer({ min: 1, max: 5 }), async (data, limit) => {
        const { database, measurement } = await fresh(data);
        const result = plain(
          await h.query(
            database,
            `SELECT difference(v), cumulative_sum(v) FROM ${measurement} GROUP BY host ORDER BY time DESC LIMIT ${limit}`,
          ),
        );
        const expected = (['a', 'b'] as const)
          .filter((host) => data.some((p) => p.host === host))
          .map((host) => {
            const own = data.filter((p) => p.host === host).sort((x, y) => x.offsetMs - y.offsetMs);
            let running = 0;
            const rows = own.map((p, i) => {
              running += p.value;
              return [iso(T + BigInt(p.offsetMs) * 1_000_000n), i === 0 ? null : p.value - own[i - 1]!.value, running];
            });
            return {
              name: measurement,
              tags: { host },
              columns: ['time', 'difference', 'cumulative_sum'],
              values: rows.reverse().slice(0, limit),
            };
          });
        assert.deepEqual(result, [{ series: expected }]);
      }),
      { numRuns: 25 },
    );
  });
});
