import { fail } from './errors.ts';
import { parseRetentionPeriodNs, retentionNsToMs } from './retention-period.ts';

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
  y: 31_536_000_000,
  year: 31_536_000_000,
  years: 31_536_000_000,
};

const PART = /(\d+)\s*([a-z]+)/gy;

/**
 * Parses a human duration such as `7d`, `30d`, `1h30m` or `2 weeks` into milliseconds.
 * A year is 365 days. Throws INVALID_EXPIRY naming `field` when the text is not a positive duration.
 */
export function parseDuration(text: string, field = 'duration'): number {
  const input = text.trim().toLowerCase();
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(input); match !== null; match = PART.exec(input)) {
    const [whole, amount, unit] = match as unknown as [string, string, string];
    const perUnit = Object.hasOwn(MS_PER_UNIT, unit) ? MS_PER_UNIT[unit] : undefined;
    if (perUnit === undefined) {
      fail('INVALID_EXPIRY', `${field}: unknown unit '${unit}' in '${text}' (use s, m, h, d, w or y)`, { field });
    }
    total += Number(amount) * perUnit;
    consumed += whole.length;
    while (input[consumed] === ' ') consumed++;
    PART.lastIndex = consumed;
  }
  if (input.length === 0 || consumed !== input.length) {
    fail('INVALID_EXPIRY', `${field}: '${text}' is not a duration like 30d, 12h or 1h30m`, { field });
  }
  if (!Number.isSafeInteger(total) || total <= 0) {
    fail('INVALID_EXPIRY', `${field}: '${text}' must be a positive duration`, { field });
  }
  return total;
}

/** The longest wait one timer holds (2^31 - 1 ms, about 24.8 days): Node fires a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration that arms a timer (a timeout, an idle time): as parseDuration, and at most 24 days,
 * since a longer one would fire at once and, say, stop every query the moment it starts.
 */
export function parseTimerDuration(text: string, field: string): number {
  const ms = parseDuration(text, field);
  if (ms > MAX_TIMER_MS) {
    fail('INVALID_EXPIRY', `${field}: '${text}' is longer than the 24 days a timeout can be`, { field });
  }
  return ms;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$/;

/** Parses a strict RFC3339 timestamp into epoch milliseconds; throws INVALID_EXPIRY naming `field`. */
export function parseRfc3339(text: string, field = 'expires_at'): number {
  const match = RFC3339.exec(text.trim());
  const normalized = match ? text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : '';
  const ms = match ? Date.parse(normalized) : Number.NaN;
  if (!match || Number.isNaN(ms)) {
    fail('INVALID_EXPIRY', `${field}: '${text}' is not an RFC3339 timestamp such as 2030-01-01T00:00:00Z`, { field });
  }
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const probe = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  if (probe.getUTCDate() !== day || (hour as number) > 23 || (minute as number) > 59 || (second as number) > 60) {
    fail('INVALID_EXPIRY', `${field}: '${text}' is not a real calendar date and time`, { field });
  }
  return ms;
}

export function requireFuture(at: number, now: number, field: string): number {
  if (at <= now) {
    fail('INVALID_EXPIRY', `${field}: ${new Date(at).toISOString()} is not in the future`, { field });
  }
  return at;
}

export function toRfc3339(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * A retention period in influxctl's syntax (see parseRetentionPeriodNs), in milliseconds as the catalog
 * keeps it; null for "keep forever". Throws INVALID_INPUT naming `field`.
 */
export function parseRetentionPeriod(text: string, field = 'retentionPeriod'): number | null {
  return retentionNsToMs(parseRetentionPeriodNs(text, field), field);
}
