import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { parsePrecision } from '../../../src/storage/lineprotocol/parse.ts';
import type { Precision } from '../../../src/storage/lineprotocol/types.ts';
import { parseError, parseLineProtocol, parsePoint } from './helpers.ts';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

describe('parsePrecision', () => {
  test('accepts the four short and four long names; absent means ns', () => {
    const cases: Array<[string | undefined, Precision]> = [
      [undefined, 'ns'],
      ['ns', 'ns'],
      ['nanosecond', 'ns'],
      ['us', 'us'],
      ['microsecond', 'us'],
      ['ms', 'ms'],
      ['millisecond', 'ms'],
      ['s', 's'],
      ['second', 's'],
    ];
    for (const [text, precision] of cases) assert.equal(parsePrecision(text), precision, String(text));
  });

  test('rejects anything else with INVALID_INPUT naming the precision field', () => {
    for (const text of ['', 'n', 'u', 'µs', 'NS', 'seconds', 'h', 'm', ' ns', 'constructor', '__proto__', 'Auto']) {
      assert.throws(
        () => parsePrecision(text),
        (error: unknown) => {
          assert.ok(error instanceof FluxgateError);
          assert.equal(error.code, 'INVALID_INPUT');
          assert.equal(
            error.message,
            `precision '${text}' is not one of auto, ns, us, ms, s (or nanosecond, microsecond, millisecond, second)`,
          );
          assert.deepEqual(error.details, { field: 'precision' });
          return true;
        },
        text,
      );
    }
  });
});

describe('timestamps', () => {
  test('are optional', () => {
    assert.equal(parsePoint('m v=1').timestampNs, null);
  });

  test('are scaled to nanoseconds by every precision', () => {
    const cases: Array<[Precision, bigint]> = [
      ['ns', 1_732_500_000n],
      ['us', 1_732_500_000_000n],
      ['ms', 1_732_500_000_000_000n],
      ['s', 1_732_500_000_000_000_000n],
    ];
    for (const [precision, expected] of cases) {
      assert.equal(parsePoint('m v=1 1732500000', precision).timestampNs, expected, precision);
      assert.equal(parsePoint('m v=1 -1732500000', precision).timestampNs, -expected, precision);
    }
  });

  test('accept zero, negative values and leading zeros', () => {
    assert.equal(parsePoint('m v=1 0').timestampNs, 0n);
    assert.equal(parsePoint('m v=1 -0').timestampNs, 0n);
    assert.equal(parsePoint('m v=1 -1').timestampNs, -1n);
    assert.equal(parsePoint('m v=1 000123').timestampNs, 123n);
  });

  test("InfluxDB's boundaries in nanoseconds: int64 without the values that mean infinity", () => {
    assert.equal(parsePoint(`m v=1 ${INT64_MAX - 1n}`).timestampNs, INT64_MAX - 1n);
    assert.equal(parsePoint(`m v=1 ${INT64_MIN + 2n}`).timestampNs, INT64_MIN + 2n);
    assert.equal(
      parseError(`m v=1 ${INT64_MAX}`),
      `timestamp '${INT64_MAX}' is out of range (a time must be from ${INT64_MIN + 2n} to ${INT64_MAX - 1n} nanoseconds)`,
    );
    assert.match(parseError(`m v=1 ${INT64_MAX + 1n}`), /out of range/);
    assert.match(parseError(`m v=1 ${INT64_MIN + 1n}`), /out of range/);
    assert.match(parseError(`m v=1 ${INT64_MIN}`), /out of range/);
    assert.match(parseError(`m v=1 ${INT64_MIN - 1n}`), /out of range/);
    assert.match(parseError(`m v=1 ${'9'.repeat(400)}`), /out of range/);
  });

  test('must fit in int64 after scaling', () => {
    const bounds: Array<[Precision, bigint]> = [
      ['us', 1_000n],
      ['ms', 1_000_000n],
      ['s', 1_000_000_000n],
    ];
    for (const [precision, factor] of bounds) {
      const max = (INT64_MAX - 1n) / factor;
      const min = (INT64_MIN + 2n) / factor;
      assert.equal(parsePoint(`m v=1 ${max}`, precision).timestampNs, max * factor, precision);
      assert.equal(parsePoint(`m v=1 ${min}`, precision).timestampNs, min * factor, precision);
      assert.match(parseError(`m v=1 ${max + 1n}`, precision), /^timestamp '\d+' is out of range/, precision);
      assert.match(parseError(`m v=1 ${min - 1n}`, precision), /^timestamp '-\d+' is out of range/, precision);
    }
  });

  test('rejects malformed timestamps', () => {
    assert.equal(parseError('m v=1 12a'), "invalid timestamp '12a'");
    for (const text of ['+5', '1.5', '1e9', '-', '0x10', 'now', '--1', '1_000']) {
      assert.equal(parseError(`m v=1 ${text}`), `invalid timestamp '${text}'`, text);
    }
  });

  test('rejects anything after the timestamp except whitespace', () => {
    assert.equal(parseError('m v=1 123 456'), "unexpected text after the timestamp: '456'");
    assert.equal(parseError('m v=1 123   x y'), "unexpected text after the timestamp: 'x y'");
    assert.equal(parsePoint('m v=1 123 \t ').timestampNs, 123n);
  });

  test('repeated timestamps across lines, including ones that differ only in sign or length', () => {
    const body = ['m v=1 1000', 'm v=1 1000', 'm v=1 -1000', 'm v=1 10000', 'm v=1 1000', 'm v=1 2000'].join('\n');
    const { points } = parseLineProtocol(body, 'ms');
    assert.deepEqual(
      points.map((p) => p.point.timestampNs),
      [1_000_000_000n, 1_000_000_000n, -1_000_000_000n, 10_000_000_000n, 1_000_000_000n, 2_000_000_000n],
    );
  });
});
