import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FluxgateError } from '../../src/domain/errors.ts';
import { validateDatabaseName } from '../../src/domain/names.ts';
import {
  formatRetentionPeriod,
  MAX_RETENTION_NS,
  parseRetentionPeriodNs,
  retentionMsToNs,
  retentionNsToMs,
  retentionPeriodFromNs,
} from '../../src/domain/retention-period.ts';

const MINUTE = 60_000_000_000n;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;
const UNITS: Record<string, bigint> = {
  s: 1_000_000_000n,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7n * DAY,
  mo: 30n * DAY,
  y: 365n * DAY,
};

function refused(run: () => unknown, code: string, field: string, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FluxgateError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.details.field, field);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('parseRetentionPeriodNs: influxctl syntax to nanoseconds', () => {
  test('the reference examples', () => {
    assert.equal(parseRetentionPeriodNs('30d'), 30n * DAY);
    assert.equal(parseRetentionPeriodNs('30d'), 2_592_000_000_000_000n, 'the Clustered example value');
    assert.equal(parseRetentionPeriodNs('30d30d'), 60n * DAY);
    assert.equal(parseRetentionPeriodNs('2.5d'), 60n * HOUR);
    assert.equal(parseRetentionPeriodNs('1mo'), 30n * DAY);
    assert.equal(parseRetentionPeriodNs('1y'), 365n * DAY);
    assert.equal(parseRetentionPeriodNs('1w2d3h4m'), 9n * DAY + 3n * HOUR + 4n * MINUTE);
    assert.equal(parseRetentionPeriodNs('90m'), 90n * MINUTE, 'm is minutes, never months');
  });

  test('0, 0s, 0d and infinite are infinite (0)', () => {
    for (const text of ['0', '0s', '0d', '0m0h', 'infinite']) assert.equal(parseRetentionPeriodNs(text), 0n, text);
  });

  test('signs, whitespace, unknown units, bare numbers and garbage are refused, naming the field', () => {
    for (const bad of [
      '-30d',
      '+30d',
      '30 d',
      ' 30d',
      '30d ',
      '30d\n',
      '30x',
      '30',
      'd30',
      '',
      '1.d',
      '.5d',
      '1..5d',
      '30ms',
      '1M',
      '30D',
      'constructor',
      '__proto__',
      '1e3d',
      '３０d',
      '9'.repeat(100),
    ]) {
      refused(() => parseRetentionPeriodNs(bad, '--retention-period'), 'INVALID_INPUT', '--retention-period');
    }
  });

  test('the int64 nanosecond ceiling of the originals (about 292 years)', () => {
    assert.equal(parseRetentionPeriodNs('292y'), 292n * 365n * DAY);
    refused(() => parseRetentionPeriodNs('293y'), 'INVALID_INPUT', 'retentionPeriod', /292 years/);
    assert.ok(parseRetentionPeriodNs('106751d') <= MAX_RETENTION_NS);
    refused(() => parseRetentionPeriodNs('106752d'), 'INVALID_INPUT', 'retentionPeriod');
  });

  test('property: any compound of parts is the sum of its parts, exactly', () => {
    const part = fc.record({
      whole: fc.integer({ min: 0, max: 400 }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }),
      unit: fc.constantFrom(...Object.keys(UNITS)),
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts
          .map((p) => `${p.whole}${p.fraction === undefined ? '' : `.${p.fraction}`}${p.unit}`)
          .join('');
        let expected = 0n;
        for (const p of parts) {
          const digits = p.fraction ?? '';
          const scale = 10n ** BigInt(digits.length);
          const numerator = BigInt(`${p.whole}${digits}`) * (UNITS[p.unit] as bigint);
          expected += (numerator + scale / 2n) / scale;
        }
        if (expected > MAX_RETENTION_NS) {
          refused(() => parseRetentionPeriodNs(text), 'INVALID_INPUT', 'retentionPeriod');
        } else {
          assert.equal(parseRetentionPeriodNs(text), expected, text);
        }
      }),
    );
  });

  test('property: a valid period with any whitespace or a sign put in is refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(...Object.keys(UNITS)),
        fc.constantFrom(' ', '\t', '\n', '-', '+'),
        fc.boolean(),
        (amount, unit, junk, before) => {
          const text = before ? `${junk}${amount}${unit}` : `${amount}${junk}${unit}`;
          refused(() => parseRetentionPeriodNs(text), 'INVALID_INPUT', 'retentionPeriod');
        },
      ),
    );
  });

  test('property: the display form parses back to the same milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 9_000_000_000_000 }), (seconds) => {
        const ms = seconds - (seconds % 1000);
        const shown = formatRetentionPeriod(ms);
        assert.equal(retentionNsToMs(parseRetentionPeriodNs(shown)), ms, shown);
      }),
    );
  });
});

describe('retention periods between the API (ns) and the catalog (ms)', () => {
  test('integer nanoseconds from JSON: whole, non-negative, at most int64', () => {
    assert.equal(retentionPeriodFromNs(2_592_000_000_000_000), 30n * DAY);
    assert.equal(retentionPeriodFromNs(0), 0n);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e19]) {
      refused(() => retentionPeriodFromNs(bad), 'INVALID_INPUT', 'retentionPeriod');
    }
  });

  test('kept to the millisecond; infinite is null; answers carry nanoseconds', () => {
    assert.equal(retentionNsToMs(0n), null);
    assert.equal(retentionNsToMs(30n * DAY), 30 * 86_400_000);
    assert.equal(retentionNsToMs(1_499_999n), 1);
    assert.equal(retentionNsToMs(1_500_000n), 2);
    refused(() => retentionNsToMs(400_000n), 'INVALID_INPUT', 'retentionPeriod', /millisecond/);
    assert.equal(retentionMsToNs(null), 0);
    assert.equal(retentionMsToNs(30 * 86_400_000), 2_592_000_000_000_000);
    assert.equal(retentionMsToNs(365 * 86_400_000), 31_536_000_000_000_000);
    assert.equal(JSON.stringify(retentionMsToNs(365 * 86_400_000)), '31536000000000000');
  });

  test('display: infinite, and the largest units first', () => {
    assert.equal(formatRetentionPeriod(null), 'infinite');
    assert.equal(formatRetentionPeriod(30 * 86_400_000), '4w2d');
    assert.equal(formatRetentionPeriod(86_400_000 + 1_800_000), '1d30m');
    assert.equal(formatRetentionPeriod(365 * 86_400_000), '1y');
  });
});

describe('validateDatabaseName', () => {
  test('the reference rules: 1 to 64 of A-Z a-z 0-9 _ . -, case-sensitive, no leading _', () => {
    for (const name of [
      'sensors',
      'Sensors',
      'a',
      'my-db.v2_final',
      'x'.repeat(64),
      '1',
      'a..b',
      'con-fig',
      'CONSOLE',
    ]) {
      assert.equal(validateDatabaseName(name, 'name'), name);
    }
    for (const name of ['', '_internal', 'x'.repeat(65), 'a b', 'a/b', 'a\\b', 'é', 'a;b', 'a\u0000']) {
      refused(() => validateDatabaseName(name, 'name'), 'INVALID_NAME', 'name');
    }
  });

  test('dots-only names and Windows device names are refused, in any case and with any extension', () => {
    for (const name of [
      '.',
      '..',
      '...',
      'CON',
      'con',
      'Prn',
      'AUX',
      'nul',
      'NUL.txt',
      'com1',
      'COM9.db',
      'lpt1',
      'LPT0.x.y',
    ]) {
      refused(() => validateDatabaseName(name, 'name'), 'INVALID_NAME', 'name');
    }
  });

  test('property: every accepted name matches the rules, and every name of the allowed shape is accepted or says why', () => {
    const shaped = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/);
    fc.assert(
      fc.property(shaped, (name) => {
        try {
          assert.equal(validateDatabaseName(name, 'name'), name);
          assert.ok(!name.startsWith('_') && !/^\.+$/.test(name));
          assert.ok(!/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i.test(name));
        } catch (error) {
          assert.ok(error instanceof FluxgateError && error.code === 'INVALID_NAME', String(error));
          assert.match(error.message, /reserved|dots|device/);
        }
      }),
    );
  });
});
