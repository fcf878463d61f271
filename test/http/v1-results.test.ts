/**
 * The v1 JSON writer writes series as text; these tables pin it to what JSON.stringify (with exact
 * bigints) writes for the same objects, over the values a series can hold.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { v1Chunks, v1Json } from '../../src/http/v1/v1-results.ts';
import type { Series, StatementResult } from '../../src/influxql/result.ts';
import { stringifyExact } from '../../src/support/exact-json.ts';

const T = 1_704_067_200_123_456_789n;

function series(values: unknown[][], tags: Array<[string, string]> = [['host', 'a"b']]): Series {
  return { name: 'cpu "x"', tags, columns: ['time', 'v', 'w'], types: ['time', 'float', 'string'], values };
}

/** What the writer must match: the v1 object shape, stringified with bigints as digits. */
function expected(results: StatementResult[], epoch: 'ns' | 'ms'): string {
  return stringifyExact({
    results: results.map((result, i) => {
      if (result.error !== undefined) return { statement_id: i, error: result.error };
      if (result.series.length === 0) return { statement_id: i };
      return {
        statement_id: i,
        series: result.series.map((one) => {
          const out: Record<string, unknown> = { name: one.name };
          if (one.tags.length > 0) out.tags = Object.fromEntries(one.tags);
          out.columns = one.columns;
          out.values = one.values.map((row) =>
            row.map((value, c) => {
              if (c !== 0 || typeof value !== 'bigint') return value ?? null;
              const scaled = epoch === 'ns' ? value : value / 1_000_000n;
              return Number.isSafeInteger(Number(scaled)) ? Number(scaled) : scaled;
            }),
          );
          return out;
        }),
      };
    }),
  });
}

const tricky: unknown[][] = [
  [T, 1.5, 'plain'],
  [T + 1n, Number.NaN, 'quote " and \\ and \n'],
  [T + 2n, Number.POSITIVE_INFINITY, null],
  [T + 3n, undefined, true],
  [T + 4n, -0, false],
  [T + 5n, 12345678901234567890n, 'bigint value'],
  [T + 6n, { nested: [1n, 'x'] }, 'object value'],
  [T + 7n, 0.1 + 0.2, '\u2028'],
  [1000, 2, 'a number time'],
  [T + 8n],
];

describe('v1 JSON writer', () => {
  for (const epoch of ['ns', 'ms'] as const) {
    test(`epoch=${epoch}: the same text as JSON.stringify of the v1 objects`, () => {
      const results: StatementResult[] = [
        {
          series: [
            series(tricky),
            series(
              [[T, 1, 'x']],
              [
                ['10', 'n'],
                ['2', 'm'],
                ['b', 'z'],
              ],
            ),
          ],
        },
        { series: [], error: 'bad "statement"' },
        { series: [] },
        { series: [series([], [])] },
      ];
      assert.equal(v1Json(results, epoch, false), expected(results, epoch));
      assert.deepEqual(JSON.parse(v1Json(results, epoch, false)), JSON.parse(v1Json(results, epoch, true)));
    });
  }

  test('chunked: each chunk is the same text as the objects, partial where more follows', () => {
    const results: StatementResult[] = [{ series: [series(tricky)] }];
    const chunks = [...v1Chunks(results, 'ns', 4)];
    assert.equal(chunks.length, 3);
    const parsed = chunks.map((chunk) => JSON.parse(chunk));
    assert.equal(parsed[0].results[0].partial, true);
    assert.equal(parsed[0].results[0].series[0].partial, true);
    assert.equal(parsed[2].results[0].partial, undefined);
    assert.equal(parsed[2].results[0].series[0].partial, undefined);
    const rows = parsed.flatMap((doc) => doc.results[0].series[0].values);
    assert.deepEqual(rows, JSON.parse(expected(results, 'ns')).results[0].series[0].values);
  });
});
