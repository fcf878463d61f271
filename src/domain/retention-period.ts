import { fail } from './errors.ts';

const NS_PER_MS = 1_000_000n;
const NS_PER_SECOND = 1_000n * NS_PER_MS;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;

/** influxctl's units: `m` is minutes, `mo` 30 days, `y` 365 days. `s` is accepted as well (`0s`, `90s`). */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3_600n * NS_PER_SECOND,
  d: NS_PER_DAY,
  w: 7n * NS_PER_DAY,
  mo: 30n * NS_PER_DAY,
  y: 365n * NS_PER_DAY,
};

/** `mo` before `m`, so `1mo` is a month and not a minute followed by garbage. */
const PART = /(\d+)(?:\.(\d+))?(mo|y|w|d|h|m|s)/y;

/** The originals keep a retention period as int64 nanoseconds: about 292 years at most. */
export const MAX_RETENTION_NS = 9_223_372_036_854_775_807n;

const MAX_TEXT = 64;

const SYNTAX = 'a retention period like 30d, 2.5d, 1mo or 30d12h (units m, h, d, w, mo, y; 0 or 0s for infinite)';

/**
 * A retention period in influxctl's syntax, in nanoseconds: units m (minutes), h, d, w, mo (30 days)
 * and y (365 days), compoundable (`30d30d`), fractional (`2.5d`), no sign and no whitespace. `0`, `0s`
 * and `infinite` mean "keep forever" (0n). Throws INVALID_INPUT naming `field`.
 */
export function parseRetentionPeriodNs(text: string, field = 'retentionPeriod'): bigint {
  if (text === '0' || text === 'infinite') return 0n;
  if (text.length === 0 || text.length > MAX_TEXT) {
    fail('INVALID_INPUT', `${field}: '${clip(text)}' is not ${SYNTAX}`, { field });
  }
  let total = 0n;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    const [whole, units, fraction = '', unit] = match as unknown as [string, string, string | undefined, string];
    const perUnit = UNIT_NS[unit] as bigint;
    const scale = 10n ** BigInt(fraction.length);
    // Exact decimal arithmetic: 2.5d is 25 × 1d / 10, rounded half up to the nanosecond.
    const numerator = BigInt(units + fraction) * perUnit;
    total += (numerator + scale / 2n) / scale;
    consumed += whole.length;
  }
  if (consumed !== text.length) fail('INVALID_INPUT', `${field}: '${clip(text)}' is not ${SYNTAX}`, { field });
  if (total > MAX_RETENTION_NS) {
    fail('INVALID_INPUT', `${field}: '${text}' is longer than the longest retention period (about 292 years)`, {
      field,
    });
  }
  return total;
}

/**
 * A retention period sent as integer nanoseconds (the Management API's `retentionPeriod`): a whole,
 * non-negative number of at most int64. Throws INVALID_INPUT naming `field`.
 */
export function retentionPeriodFromNs(value: number, field = 'retentionPeriod'): bigint {
  if (!Number.isInteger(value) || value < 0) {
    fail('INVALID_INPUT', `${field} must be a whole number of nanoseconds (0 for infinite) or ${SYNTAX}`, { field });
  }
  const ns = BigInt(value);
  if (ns > MAX_RETENTION_NS) {
    fail('INVALID_INPUT', `${field} is longer than the longest retention period (about 292 years)`, { field });
  }
  return ns;
}

/**
 * The catalog keeps retention periods to the millisecond: nanoseconds rounded to the nearest one, 0
 * (infinite) as null. A period shorter than half a millisecond cannot be kept and is refused.
 */
export function retentionNsToMs(ns: bigint, field = 'retentionPeriod'): number | null {
  if (ns === 0n) return null;
  const ms = (ns + NS_PER_MS / 2n) / NS_PER_MS;
  if (ms === 0n) fail('INVALID_INPUT', `${field} is shorter than a millisecond (use 0 for infinite)`, { field });
  return Number(ms);
}

/** What the API answers: nanoseconds, 0 for infinite. Exact as a JSON number for every value a catalog holds. */
export function retentionMsToNs(ms: number | null): number {
  return ms === null ? 0 : Number(BigInt(ms) * NS_PER_MS);
}

/** A short display form (`30d`, `2d12h`, `infinite`), as `database list` prints it. */
export function formatRetentionPeriod(ms: number | null): string {
  if (ms === null) return 'infinite';
  let rest = BigInt(ms) * NS_PER_MS;
  let text = '';
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_NS[unit] as bigint;
    if (rest >= size) {
      text += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0n) text += `${rest / NS_PER_MS}ms`;
  return text;
}

function clip(text: string): string {
  return JSON.stringify(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text).slice(1, -1);
}
