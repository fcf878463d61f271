import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRetentionPeriod } from '../../src/domain/durations.ts';
import { FluxgateError } from '../../src/domain/errors.ts';
import { expiresWithin, parseExpiry } from '../../src/domain/expiry.ts';

const now = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

function refused(fn: () => unknown, code: string, field: string, message: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FluxgateError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.details.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe('parseExpiry: every face spells expiry its way, one set of rules', () => {
  test('RFC3339, a duration, expiry_secs, or nothing', () => {
    assert.equal(parseExpiry({ expiresAt: '2026-01-08T00:00:00Z' }, now), now + 7 * DAY);
    assert.equal(parseExpiry({ expiresIn: '7d' }, now), now + 7 * DAY);
    assert.equal(parseExpiry({ expirySecs: 60 }, now), now + 60_000);
    assert.equal(parseExpiry({}, now), undefined, 'nothing said: the caller decides');
    assert.equal(parseExpiry({ expiresAt: undefined, expiresIn: null, expirySecs: null }, now), undefined);
  });

  test('null, --no-expiry and expirationType noExpiration all mean "never"', () => {
    assert.equal(parseExpiry({ expiresAt: null }, now), null);
    assert.equal(parseExpiry({ never: true }, now), null);
    assert.equal(parseExpiry({ expirationType: 'noExpiration' }, now), null);
    assert.equal(parseExpiry({ expirationType: 'noExpiration', expiresAt: null }, now), null);
    assert.equal(parseExpiry({ expirationType: 'datetime', expiresIn: '1d' }, now), now + DAY);
  });

  test('contradictions and past or malformed times are refused, naming the field', () => {
    refused(
      () => parseExpiry({ expiresAt: '2027-01-01T00:00:00Z', expiresIn: '1d' }, now),
      'INVALID_EXPIRY',
      'expiresIn',
      /only one of expiresAt and expiresIn/,
    );
    refused(
      () => parseExpiry({ expiresAt: '2020-01-01T00:00:00Z' }, now),
      'INVALID_EXPIRY',
      'expiresAt',
      /not in the future/,
    );
    refused(() => parseExpiry({ expiresAt: 'next week' }, now), 'INVALID_EXPIRY', 'expiresAt', /not an RFC3339/);
    refused(() => parseExpiry({ expiresIn: '0d' }, now), 'INVALID_EXPIRY', 'expiresIn', /positive/);
    refused(() => parseExpiry({ expiresIn: '-1d' }, now), 'INVALID_EXPIRY', 'expiresIn', /not a duration/);
    refused(() => parseExpiry({ expiresIn: '1constructor' }, now), 'INVALID_EXPIRY', 'expiresIn', /unknown unit/);
    refused(() => parseExpiry({ expirySecs: 0 }, now), 'INVALID_EXPIRY', 'expiry_secs', /positive whole number/);
    refused(() => parseExpiry({ expirySecs: 1.5 }, now), 'INVALID_EXPIRY', 'expiry_secs', /positive whole number/);
    refused(() => parseExpiry({ expiresIn: '100000y' }, now), 'INVALID_EXPIRY', 'expiresIn', /after the year 9999/);
    refused(
      () => parseExpiry({ expirationType: 'noExpiration', expiresIn: '1d' }, now),
      'INVALID_EXPIRY',
      'expiresIn',
      /noExpiration cannot come with expiresIn/,
    );
    refused(
      () => parseExpiry({ expirationType: 'datetime' }, now),
      'INVALID_EXPIRY',
      'expiresAt',
      /datetime needs expiresAt or expiresIn/,
    );
    refused(
      () => parseExpiry({ expirationType: 'toString' }, now),
      'INVALID_EXPIRY',
      'expirationType',
      /datetime or noExpiration/,
    );
  });

  test('each face names its own fields', () => {
    refused(
      () => parseExpiry({ expiresAt: 'x' }, now, { at: '--expires-at', in: '--expires-in' }),
      'INVALID_EXPIRY',
      '--expires-at',
      /--expires-at/,
    );
  });

  test('a token expires no later than its maker', () => {
    assert.equal(expiresWithin(now, now), true);
    assert.equal(expiresWithin(now + 1, now), false);
    assert.equal(expiresWithin(null, now), false, 'never is later than any time');
    assert.equal(expiresWithin(null, Number.POSITIVE_INFINITY), true);
  });
});

describe('parseRetentionPeriod: influxctl syntax', () => {
  test('units, compounds and fractions', () => {
    assert.equal(parseRetentionPeriod('30d'), 30 * DAY);
    assert.equal(parseRetentionPeriod('30d30d'), 60 * DAY);
    assert.equal(parseRetentionPeriod('2.5d'), 2.5 * DAY);
    assert.equal(parseRetentionPeriod('1mo'), 30 * DAY);
    assert.equal(parseRetentionPeriod('1y'), 365 * DAY);
    assert.equal(parseRetentionPeriod('2w12h30m'), 14 * DAY + 12 * 3_600_000 + 30 * 60_000);
  });

  test('0s, 0 and infinite keep data forever', () => {
    assert.equal(parseRetentionPeriod('0s'), null);
    assert.equal(parseRetentionPeriod('0'), null);
    assert.equal(parseRetentionPeriod('infinite'), null);
  });

  test('signs, whitespace, unknown units and garbage are refused, naming the field', () => {
    for (const bad of ['-30d', '30 d', ' 30d', '30x', 'd30', '', '1.d', 'constructor', '30d-']) {
      refused(
        () => parseRetentionPeriod(bad, '--retention-period'),
        'INVALID_INPUT',
        '--retention-period',
        /retention period/,
      );
    }
  });
});
