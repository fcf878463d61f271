import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FieldValue, Point, Precision } from '../../../src/storage/lineprotocol/types.ts';
import { parseLineProtocol } from './helpers.ts';
import { escapeKey, escapeMeasurement, escapeString, formatFloat } from './serialize.ts';

const RUNS = 1_500;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
type FixedPrecision = Exclude<Precision, 'auto'>;
const NANOS_PER_UNIT: Record<FixedPrecision, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
const TRUE_SPELLINGS = ['t', 'T', 'true', 'True', 'TRUE'];
const FALSE_SPELLINGS = ['f', 'F', 'false', 'False', 'FALSE'];

/** One character, biased towards the ones line protocol treats specially. */
const char = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(' ', ',', '=', '"', '\\', '\t', '\r', '#', 'i', 'u', 't', '-', '.', '0') },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('é', 'ß', '日', '😀', '\u0000', '\u00a0', '\u2028') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  )
  .filter((c) => c !== '\n');

const name = fc.string({ unit: char, minLength: 1, maxLength: 10 });
// A line starting with # is a comment and leading tabs are whitespace; neither can be escaped.
const measurementName = name.filter((text) => !text.startsWith('#') && !text.startsWith('\t'));
const key = name.filter((text) => text !== 'time');

interface GeneratedField {
  value: FieldValue;
  text: string;
}

const fieldValue: fc.Arbitrary<GeneratedField> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => ({
    value: { type: 'float', value } as FieldValue,
    text: formatFloat(value),
  })),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }).map((value) => ({
    value: { type: 'integer', value } as FieldValue,
    text: `${value}i`,
  })),
  fc.bigInt({ min: 0n, max: UINT64_MAX }).map((value) => ({
    value: { type: 'uinteger', value } as FieldValue,
    text: `${value}u`,
  })),
  fc.string({ unit: char, maxLength: 20 }).map((value) => ({
    value: { type: 'string', value } as FieldValue,
    text: `"${escapeString(value)}"`,
  })),
  fc.tuple(fc.boolean(), fc.nat(4)).map(([value, spelling]) => ({
    value: { type: 'boolean', value } as FieldValue,
    text: (value ? TRUE_SPELLINGS : FALSE_SPELLINGS)[spelling]!,
  })),
);

interface GeneratedLine {
  point: Point;
  text: string;
}

/** Lines drawing names from small pools, so a body repeats names the way real writes do. */
function lineFrom(measurements: string[], keys: string[], precision: FixedPrecision): fc.Arbitrary<GeneratedLine> {
  const factor = NANOS_PER_UNIT[precision];
  return fc
    .record({
      measurement: fc.constantFrom(...measurements),
      keys: fc.shuffledSubarray(keys, { minLength: 1 }),
      tagShare: fc.nat(),
      tagValues: fc.array(name, { minLength: keys.length, maxLength: keys.length }),
      values: fc.array(fieldValue, { minLength: keys.length, maxLength: keys.length }),
      timestamp: fc.option(fc.bigInt({ min: (INT64_MIN + 2n) / factor, max: (INT64_MAX - 1n) / factor }), {
        nil: null,
      }),
      leading: fc.constantFrom('', '', ' ', '\t '),
      separator: fc.constantFrom(' ', ' ', '  '),
      trailing: fc.constantFrom('', '', ' ', '\t'),
    })
    .map((g) => {
      const tagCount = g.tagShare % g.keys.length;
      const tags = g.keys.slice(0, tagCount).map((k, i): [string, string] => [k, g.tagValues[i]!]);
      const fields = g.keys.slice(tagCount).map((k, i): [string, GeneratedField] => [k, g.values[i]!]);
      let text = g.leading + escapeMeasurement(g.measurement);
      for (const [k, v] of tags) text += `,${escapeKey(k)}=${escapeKey(v)}`;
      text += g.separator + fields.map(([k, f]) => `${escapeKey(k)}=${f.text}`).join(',');
      if (g.timestamp !== null) text += g.separator + String(g.timestamp);
      text += g.trailing;
      const point: Point = {
        measurement: g.measurement,
        tags,
        fields: fields.map(([k, f]): [string, FieldValue] => [k, f.value]),
        timestampNs: g.timestamp === null ? null : g.timestamp * factor,
      };
      return { point, text };
    });
}

const body = fc
  .record({
    precision: fc.constantFrom<FixedPrecision>('ns', 'us', 'ms', 's'),
    measurements: fc.uniqueArray(measurementName, { minLength: 1, maxLength: 3 }),
    keys: fc.uniqueArray(key, { minLength: 1, maxLength: 6 }),
  })
  .chain(({ precision, measurements, keys }) =>
    fc.record({
      precision: fc.constant(precision),
      lines: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: lineFrom(measurements, keys, precision) },
          { weight: 1, arbitrary: fc.constantFrom('', '  ', '# comment', '\t#x=1 2').map((text) => ({ text })) },
        ),
        { minLength: 1, maxLength: 8 },
      ),
      crlf: fc.boolean(),
    }),
  );

test(`generated points survive serialize → parse unchanged (${RUNS} bodies)`, () => {
  fc.assert(
    fc.property(body, ({ precision, lines, crlf }) => {
      const text = lines.map((line) => line.text).join(crlf ? '\r\n' : '\n');
      const result = parseLineProtocol(text, precision);
      const expected = lines.flatMap((line, index) =>
        'point' in line ? [{ lineNumber: index + 1, point: line.point }] : [],
      );
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.points, expected);
    }),
    { numRuns: RUNS },
  );
});

test('floats parse exactly as Number() does (2,000 runs)', () => {
  const digits = fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '7', '9'), minLength: 1, maxLength: 25 });
  const floatText = fc
    .record({
      negative: fc.boolean(),
      whole: fc.option(digits, { nil: '' }),
      fraction: fc.option(digits, { nil: undefined }),
      exponent: fc.option(
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })),
        {
          nil: undefined,
        },
      ),
    })
    .filter((g) => g.whole !== '' || (g.fraction !== undefined && g.fraction !== ''))
    .map((g) => {
      let text = (g.negative ? '-' : '') + g.whole;
      if (g.fraction !== undefined) text += `.${g.fraction}`;
      if (g.exponent !== undefined) text += `${g.exponent[0]}${g.exponent[1]}${g.exponent[2]}`;
      return text;
    });
  fc.assert(
    fc.property(floatText, (text) => {
      const expected = Number(text);
      const result = parseLineProtocol(`m v=${text}`, 'ns');
      if (!Number.isFinite(expected)) {
        assert.match(result.errors[0]?.message ?? '', /out of the float64 range/);
        return;
      }
      assert.deepEqual(result.errors, []);
      assert.ok(Object.is(result.points[0]!.point.fields[0]![1].value, expected), `${text} → ${expected}`);
    }),
    { numRuns: 2_000 },
  );
});

test('integers parse exactly, and out-of-range ones are rejected (2,000 runs)', () => {
  const big = fc.oneof(
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.bigInt({ min: INT64_MIN - 10n, max: INT64_MIN + 10n }),
    fc.bigInt({ min: INT64_MAX - 10n, max: INT64_MAX + 10n }),
    fc.bigInt({ min: UINT64_MAX - 10n, max: UINT64_MAX + 10n }),
    fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
  );
  fc.assert(
    fc.property(big, (value) => {
      const asInteger = parseLineProtocol(`m v=${value}i ${value}`, 'ns');
      const inInt64 = value >= INT64_MIN && value <= INT64_MAX;
      // A time also leaves out the three int64 values that stand for infinity.
      const inTimeRange = value >= INT64_MIN + 2n && value <= INT64_MAX - 1n;
      if (inInt64 && !inTimeRange) {
        assert.match(asInteger.errors[0]?.message ?? '', /timestamp .* is out of range/);
      } else if (inInt64) {
        assert.deepEqual(asInteger.points[0]?.point.fields, [['v', { type: 'integer', value }]]);
        assert.equal(asInteger.points[0]?.point.timestampNs, value);
      } else {
        assert.match(asInteger.errors[0]?.message ?? '', /out of the int64 range/);
      }
      const asUnsigned = parseLineProtocol(`m v=${value}u`, 'ns');
      if (value < 0n) assert.match(asUnsigned.errors[0]?.message ?? '', /invalid unsigned integer/);
      else if (value > UINT64_MAX) assert.match(asUnsigned.errors[0]?.message ?? '', /out of the uint64 range/);
      else assert.deepEqual(asUnsigned.points[0]?.point.fields, [['v', { type: 'uinteger', value }]]);
    }),
    { numRuns: 2_000 },
  );
});
