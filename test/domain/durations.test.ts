import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TIMER_MS, parseDuration, parseRfc3339, parseTimerDuration } from '../../src/domain/durations.ts';
import { FluxgateError } from '../../src/domain/errors.ts';
import { resolveExpiry } from '../../src/domain/expiry.ts';

function invalidExpiry(fn: () => unknown, message: RegExp) {
  assert.throws(
    fn,
    (error: unknown) =>
      error instanceof FluxgateError && error.code === 'INVALID_EXPIRY' && message.test(error.message),
  );
}

describe('durations', () => {
  test('units and combinations', () => {
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('30d'), 30 * 86_400_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('2 weeks'), 14 * 86_400_000);
    assert.equal(parseDuration('1y'), 365 * 86_400_000);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1H'), 3_600_000);
  });

  test('a duration that arms a timer is at most 24 days, which one timer can hold', () => {
    assert.equal(parseTimerDuration('24d', '--query-timeout'), 24 * 86_400_000);
    assert.ok(24 * 86_400_000 <= MAX_TIMER_MS && 25 * 86_400_000 > MAX_TIMER_MS);
    invalidExpiry(
      () => parseTimerDuration('30d', '--query-timeout'),
      /--query-timeout: '30d' is longer than the 24 days/,
    );
    invalidExpiry(() => parseTimerDuration('1y', '--engine-idle-timeout'), /--engine-idle-timeout/);
  });

  test('bad durations are named', () => {
    invalidExpiry(() => parseDuration('7x', '--expiry'), /--expiry: unknown unit 'x'/);
    invalidExpiry(() => parseDuration(''), /not a duration/);
    invalidExpiry(() => parseDuration('d7'), /not a duration/);
    invalidExpiry(() => parseDuration('0d'), /positive/);
    invalidExpiry(() => parseDuration('-1d'), /not a duration/);
    invalidExpiry(() => parseDuration('99999999999999999y'), /positive/);
  });

  test('RFC3339 is strict', () => {
    assert.equal(parseRfc3339('2030-01-01T00:00:00Z'), Date.UTC(2030, 0, 1));
    assert.equal(parseRfc3339('2030-01-01T01:00:00+01:00'), Date.UTC(2030, 0, 1));
    assert.equal(parseRfc3339('2030-01-01T01:00:00.5+0100'), Date.UTC(2030, 0, 1) + 500);
    invalidExpiry(() => parseRfc3339('2030-02-30T00:00:00Z'), /not a real calendar date/);
    invalidExpiry(() => parseRfc3339('2030-01-01'), /not an RFC3339 timestamp/);
    invalidExpiry(() => parseRfc3339('tomorrow'), /not an RFC3339 timestamp/);
  });

  test('an expiry must lie in the future, given one way', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(resolveExpiry({ in: '1d' }, now), now + 86_400_000);
    assert.equal(resolveExpiry({}, now), null);
    invalidExpiry(() => resolveExpiry({ at: '2020-01-01T00:00:00Z' }, now), /not in the future/);
    invalidExpiry(() => resolveExpiry({ in: '1d', at: '2030-01-01T00:00:00Z' }, now), /only one of/);
  });
});

test('a duration unit is looked up as an own property: 1constructor is an unknown unit', () => {
  for (const unit of ['constructor', 'toString', '__proto__']) {
    assert.throws(() => parseDuration(`1${unit.replace(/_/g, '')}`), /unknown unit|not a duration/);
  }
});
