import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { exactDecimal } from '../../../src/storage/lineprotocol/float-value.ts';
import { fieldOf, parseError, parsePoint } from './helpers.ts';

// Every parse below goes through both parsers (helpers.ts checks the byte parser the server uses
// against the general one), so each property holds for the fast path and for its fallback.

const RUNS = 3_000;
const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

/**
 * The float the parsers read from `text` must equal `Number(text)` bit for bit, or be refused as
 * InfluxDB refuses a value beyond the float64 range (rounding can carry 1.8e308 there).
 */
function assertReadsAsNumber(text: string): void {
  if (!Number.isFinite(Number(text))) {
    assert.match(parseError(`m v=${text}`), /^float '.*' is out of the float64 range for field 'v'$/, text);
    return;
  }
  const field = fieldOf(`m v=${text}`);
  assert.equal(field.type, 'float', text);
  assert.ok(Object.is(field.value, Number(text)), `${text}: read ${String(field.value)}, Number gives ${Number(text)}`);
}

describe('floats are read exactly as Number reads them', () => {
  test('doubles printed with String(x) (up to 17 significant digits, exponents beyond 1e21 and below 1e-6)', () => {
    fc.assert(
      fc.property(finiteDouble, (x) => assertReadsAsNumber(String(x))),
      { numRuns: RUNS },
    );
  });

  test('doubles printed with toExponential, with any number of digits and either case of e', () => {
    fc.assert(
      fc.property(finiteDouble, fc.integer({ min: 0, max: 25 }), fc.boolean(), (x, digits, upper) => {
        const text = x.toExponential(digits);
        assertReadsAsNumber(upper ? text.toUpperCase() : text);
        // Without the + that JavaScript prints, as other clients write it.
        assertReadsAsNumber(text.replace('e+', 'e'));
      }),
      { numRuns: RUNS },
    );
  });

  test('doubles below 1e21 printed with toFixed and toPrecision', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e21, max: 1e21, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 21 }),
        (x, fixed, precision) => {
          assertReadsAsNumber(x.toFixed(fixed));
          assertReadsAsNumber(x.toPrecision(precision));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('short decimals as gauges print them (the common case of the fast path)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 6 }), (n, decimals) => {
        assertReadsAsNumber((n / 10 ** decimals).toFixed(decimals));
      }),
      { numRuns: RUNS },
    );
  });

  test('any decimal text: long mantissas, leading and trailing zeros, far exponents', () => {
    const text = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,24}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,24}$/)),
        fc.option(fc.integer({ min: -340, max: 330 })),
      )
      .map(([negative, whole, fraction, exponent]) => {
        let t = `${negative ? '-' : ''}${whole}`;
        if (fraction !== null) t += `.${fraction}`;
        if (exponent !== null) t += `e${exponent}`;
        return t;
      });
    fc.assert(fc.property(text, assertReadsAsNumber), { numRuns: RUNS });
  });

  test('mantissas around 2^53, where the exact path must stop', () => {
    const around = Array.from({ length: 9 }, (_, i) => 9_007_199_254_740_988 + i);
    for (const m of around) {
      for (const scale of [-23, -22, -17, -1, 0, 1, 5, 22, 23, 30]) {
        const digits = String(m);
        assertReadsAsNumber(`${digits}e${scale}`);
        // The same value with the point inside the digits.
        assertReadsAsNumber(`${digits.slice(0, 4)}.${digits.slice(4)}e${scale + 12}`);
      }
    }
  });

  test('edge cases: signed zeros, the subnormal and normal extremes, underflow to zero', () => {
    for (const text of [
      '0',
      '-0',
      '0.0',
      '-0.0',
      '-0e5',
      '0e-400',
      '5e-324',
      '-5e-324',
      '4.9406564584124654e-324',
      '2.4703282292062328e-324', // just above half the smallest subnormal: rounds up to it
      '2.4703282292062327e-324', // just below: rounds to zero
      '2.2250738585072014e-308',
      '2.225073858507201e-308',
      '1.7976931348623157e308',
      '-1.7976931348623157e308',
      '1.7976931348623158e308', // rounds down to the largest double
      '1e-400',
      '9007199254740993',
      '29.666666666666668',
      '1e-7',
      '2.5e+21',
      '1e22',
      '1e23',
      '1e37',
      '8.98846567431158e307',
    ]) {
      assertReadsAsNumber(text);
    }
    assert.ok(Object.is(fieldOf('m v=-0').value, -0));
    assert.ok(Object.is(fieldOf('m v=5e-324').value, Number.MIN_VALUE));
    assert.ok(Object.is(fieldOf('m v=1.7976931348623157e308').value, Number.MAX_VALUE));
  });

  test('values beyond the float64 range are refused, as InfluxDB refuses them', () => {
    for (const text of [
      '1.7976931348623159e308',
      '1e309',
      '-1e309',
      '2e308',
      '179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792',
    ]) {
      assert.ok(!Number.isFinite(Number(text)), text);
      const message = parseError(`m v=${text}`);
      assert.match(message, /^float '.*' is out of the float64 range for field 'v'$/, text);
      assert.ok(message.includes(text.slice(0, 60)), message);
    }
  });
});

describe('exactDecimal: the one-operation path', () => {
  test('either declines or equals Number of the text, and never declines within 10^±22', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: -40, max: 45 }), (m, scale) => {
        const value = exactDecimal(m, scale);
        if (scale >= -22 && scale <= 22) assert.ok(!Number.isNaN(value), `${m}e${scale} declined`);
        if (!Number.isNaN(value)) assert.ok(Object.is(value, Number(`${m}e${scale}`)), `${m}e${scale}`);
      }),
      { numRuns: RUNS },
    );
  });

  test('declines a mantissa of 2^53 or more, which a double may not hold exactly', () => {
    assert.ok(Number.isNaN(exactDecimal(2 ** 53, 0)));
    assert.ok(Number.isNaN(exactDecimal(2 ** 60, -3)));
    assert.ok(Number.isNaN(exactDecimal(Number.POSITIVE_INFINITY, 0)));
  });
});

describe('lines of every field kind', () => {
  test('integers of any size in range, exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (i, u) => {
          const { fields } = parsePoint(`m i=${i}i,u=${u}u`);
          assert.deepEqual(fields, [
            ['i', { type: 'integer', value: i }],
            ['u', { type: 'uinteger', value: u }],
          ]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('timestamps of any int64 at every precision: exact, or refused outside the time range', () => {
    const units = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n } as const;
    const MAX = 2n ** 63n - 2n;
    const time = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: MAX - 1_000n, max: MAX + 1n }),
      fc.bigInt({ min: 0n, max: 2n ** 32n }),
    );
    fc.assert(
      fc.property(time, fc.constantFrom('ns', 'us', 'ms', 's') as fc.Arbitrary<keyof typeof units>, (t, precision) => {
        const nanos = t * units[precision];
        if (nanos < -MAX || nanos > MAX) assert.match(parseError(`m v=1 ${t}`, precision), /out of range/);
        else assert.equal(parsePoint(`m v=1 ${t}`, precision).timestampNs, nanos);
      }),
      { numRuns: RUNS },
    );
  });

  test('a mix of floats, integers, strings and booleans reads the same through both parsers', () => {
    const stringValue = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\n\r]/g, ' '));
    fc.assert(
      fc.property(
        finiteDouble,
        fc.integer(),
        stringValue,
        fc.constantFrom('t', 'F', 'true', 'False', 'TRUE'),
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        (x, n, s, b, time) => {
          const quoted = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
          const point = parsePoint(`cpu,host=a f=${String(x)},i=${n}i,s="${quoted}",b=${b} ${time}`);
          assert.deepEqual(point.fields, [
            ['f', { type: 'float', value: Number(String(x)) }],
            ['i', { type: 'integer', value: BigInt(n) }],
            ['s', { type: 'string', value: s }],
            ['b', { type: 'boolean', value: b.toLowerCase().startsWith('t') }],
          ]);
          assert.equal(point.timestampNs, time);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
