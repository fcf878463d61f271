import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { jsonLinesEncoderFor, toCsv, toJson, toJsonLines } from '../../src/http/v3/query-formats.ts';
import type { QueryResult } from '../../src/storage/storage.ts';

// The formats are built for speed; they must print exactly what the plain definitions below print.

function plainObjects(result: QueryResult): Array<Record<string, unknown>> {
  return result.rows.map((row) => {
    const object: Record<string, unknown> = {};
    result.columns.forEach((column, i) => {
      if (!Object.hasOwn(object, column.name)) object[column.name] = row[i] ?? null;
    });
    return object;
  });
}

function plainCsv(result: QueryResult): string {
  const cell = (value: unknown) => {
    const text =
      value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [result.columns.map((c) => cell(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\n')}\n`;
}

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'cr\r', 'é', '😀', '\u2028', ''),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom('9007199254740993', '2024-11-25T01:02:03.123456789Z', 'infinity'),
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.string(), scalar, { maxKeys: 3 }),
);
/** Names a plain object has no property of: JSON keys as the engine writes them, repeats and digits included. */
const columnName = fc
  .oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom('time', 'avg(usage_user)', 'a,b', 'say "hi"', '0', '1', '10', '-1', '1.5'),
  )
  .filter((name) => !(name in {}));
const result: fc.Arbitrary<QueryResult> = fc.array(columnName, { minLength: 1, maxLength: 5 }).chain((names) =>
  fc.array(fc.tuple(...names.map(() => value)), { maxLength: 6 }).map((rows) => ({
    columns: names.map((name) => ({ name, sqlType: 'VARCHAR' })),
    rows,
  })),
);

it('prints json, jsonl and csv exactly as the plain definitions do', () => {
  fc.assert(
    fc.property(result, (r) => {
      assert.equal(toJson(r), JSON.stringify(plainObjects(r)));
      assert.equal(
        toJsonLines(r),
        plainObjects(r)
          .map((row) => `${JSON.stringify(row)}\n`)
          .join(''),
      );
      assert.equal(toCsv(r), plainCsv(r));
    }),
    { numRuns: 500 },
  );
});

it('keeps a repeated name to its first column and orders integer-like keys first, as JSON objects do', () => {
  const r: QueryResult = {
    columns: ['b', '2', 'b', '1'].map((name) => ({ name, sqlType: 'BIGINT' })),
    rows: [[1, 2, 3, 4]],
  };
  assert.equal(toJson(r), '[{"1":4,"2":2,"b":1}]');
  assert.equal(toJsonLines(r), '{"1":4,"2":2,"b":1}\n');
  assert.equal(toCsv(r), 'b,2,b,1\n1,2,3,4\n');
});

it('prints columns named like Object.prototype members, __proto__ included', () => {
  const r: QueryResult = {
    columns: ['toString', '__proto__', 'constructor'].map((name) => ({ name, sqlType: 'BIGINT' })),
    rows: [[1, 2, null]],
  };
  assert.equal(toJson(r), '[{"toString":1,"__proto__":2,"constructor":null}]');
  assert.equal(toJsonLines(r), '{"toString":1,"__proto__":2,"constructor":null}\n');
});

it('prints an empty result as an empty array, no lines, and the header alone', () => {
  const r: QueryResult = { columns: [{ name: 'n', sqlType: 'BIGINT' }], rows: [] };
  assert.equal(toJson(r), '[]');
  assert.equal(toJsonLines(r), '');
  assert.equal(toCsv(r), 'n\n');
});

/** An encoder's whole output for `runs` of JSON lines, ended by its end or its truncation marker. */
function linesAnswer(format: 'json' | 'jsonl', runs: string[], truncated?: string): string {
  const encoder = jsonLinesEncoderFor(format);
  let out = encoder.begin();
  for (const run of runs) out += encoder.encode(Buffer.from(run, 'utf8')).toString('utf8');
  return out + (truncated === undefined ? encoder.end() : encoder.truncated(truncated));
}

it('JSON lines passed on as json or jsonl print what the row encoders print for the same rows, however they are cut into runs', () => {
  fc.assert(
    fc.property(result, fc.array(fc.nat(), { maxLength: 6 }), (r, cuts) => {
      const lines = toJsonLines(r)
        .split(/(?<=\n)/)
        .filter((line) => line !== '');
      // The lines grouped into runs at arbitrary points (every run holds at least one whole line).
      const runs: string[] = [];
      let at = 0;
      for (const cut of cuts) {
        if (at >= lines.length) break;
        const size = 1 + (cut % (lines.length - at));
        runs.push(lines.slice(at, at + size).join(''));
        at += size;
      }
      if (at < lines.length) runs.push(lines.slice(at).join(''));
      assert.equal(linesAnswer('json', runs), toJson(r));
      assert.equal(linesAnswer('jsonl', runs), toJsonLines(r));
      const marker = linesAnswer('json', runs, 'the cap');
      assert.deepEqual(JSON.parse(marker), [...JSON.parse(toJson(r)), { fluxgate_truncated: 'the cap' }]);
    }),
    { numRuns: 500 },
  );
});

it('JSON lines of an empty result print as an empty array and no lines; a cut one as the marker alone', () => {
  assert.equal(linesAnswer('json', []), '[]');
  assert.equal(linesAnswer('jsonl', []), '');
  assert.equal(linesAnswer('json', [], 'why'), '[{"fluxgate_truncated":"why"}]');
  assert.equal(linesAnswer('jsonl', ['{"a":1}\n'], 'why'), '{"a":1}\n{"fluxgate_truncated":"why"}\n');
});
