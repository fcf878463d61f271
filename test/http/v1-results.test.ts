/**
 * The v1 JSON writer writes series as text; these tables pin it to what JSON.stringify (with exact
 * bigints) writes for the same objects, over the values a series can hold.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type V1Writer,
  v1Chunks,
  v1ChunkWriter,
  v1Csv,
  v1CsvWriter,
  v1Json,
  v1JsonWriter,
} from '../../src/http/v1/v1-results.ts';
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

  /** Results written as a stream would write them: every series cut into parts of `size` rows. */
  function inParts(writer: V1Writer, results: StatementResult[], size: number): string {
    let text = writer.begin();
    for (const [index, result] of results.entries()) {
      text += writer.statement(index, result.timezone);
      if (result.error === undefined) {
        for (const one of result.series) {
          for (let start = 0; start < Math.max(one.values.length, 1); start += size) {
            const values = one.values.slice(start, start + size);
            text += writer.part({ ...one, values, continues: start + size < one.values.length });
          }
        }
      }
      text += writer.endStatement(result.error);
    }
    return text + writer.end();
  }

  const streamed: StatementResult[] = [
    {
      series: [
        series(tricky),
        series(
          [
            [T, 1, 'x'],
            [T + 1n, 2, 'y'],
            [T + 2n, 3, 'z'],
          ],
          [['h', 'b']],
        ),
      ],
    },
    { series: [], error: 'bad "statement"' },
    { series: [] },
    { series: [series([[T, 4, 'w']], [])] },
  ];

  for (const size of [1, 2, 3, 7, 100]) {
    test(`streamed in parts of ${size} rows: the same bytes as written whole (JSON, chunked, CSV)`, () => {
      assert.equal(inParts(v1JsonWriter('ns'), streamed, size), v1Json(streamed, 'ns', false));
      assert.equal(inParts(v1CsvWriter('ms'), streamed, size), v1Csv(streamed, 'ms'));
      for (const chunk of [1, 2, 4, 10_000]) {
        assert.equal(
          inParts(v1ChunkWriter('ns', chunk), streamed, size),
          [...v1Chunks(streamed, 'ns', chunk)].join(''),
        );
      }
    });
  }

  test('a statement that fails after some series: the series written, then its error; the JSON stays valid', () => {
    const writer = v1JsonWriter('ns');
    const one = series([
      [T, 1, 'x'],
      [T + 1n, 2, 'y'],
    ]);
    let text = writer.begin() + writer.statement(0, undefined);
    text += writer.part({ ...one, values: one.values.slice(0, 1), continues: true });
    text += writer.endStatement('the result is larger than --query-max-result allows');
    text += writer.statement(1, undefined) + writer.endStatement() + writer.end();
    assert.deepEqual(JSON.parse(text), {
      results: [
        {
          statement_id: 0,
          series: [
            { name: 'cpu "x"', tags: { host: 'a"b' }, columns: ['time', 'v', 'w'], values: [[Number(T), 1, 'x']] },
          ],
          error: 'the result is larger than --query-max-result allows',
        },
        { statement_id: 1 },
      ],
    });
    const chunks = v1ChunkWriter('ns', 10);
    let lines = chunks.statement(0, undefined);
    lines += chunks.part({ ...one, values: one.values.slice(0, 1), continues: true });
    lines += chunks.endStatement('stopped');
    const parsed = lines
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0].results[0].partial, true, 'the rows sent, marked as followed by more');
    assert.deepEqual(parsed[1], { results: [{ statement_id: 0, error: 'stopped' }] });
  });
});
