/**
 * The expiry fields of the token dialogs: a date (`2031-01-15`) and a time (`08:30`) typed or picked,
 * read as UTC (every time the API shows is UTC), checked before anything is sent.
 */

export interface ExpiryFields {
  enabled: boolean;
  date: string;
  time: string;
}

export type ExpiryResult =
  | { ok: true; expiresAt: string | null }
  | { ok: false; field: 'date' | 'time'; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseDate(text: string): { year: number; month: number; day: number } | string {
  const match = DATE.exec(text.trim());
  if (match === null) return 'Enter the date as YYYY-MM-DD, for example 2031-01-15';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return `${text.trim()} is not a date of the calendar`;
  }
  return { year, month, day };
}

export function parseTime(text: string): { hours: number; minutes: number; seconds: number } | string {
  const match = TIME.exec(text.trim());
  if (match === null) return 'Enter the time as HH:MM (24-hour), for example 08:30';
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return `${text.trim()} is not a time of day`;
  return { hours, minutes, seconds };
}

/** The RFC3339 instant the fields name, `null` for no expiry, or the field at fault. */
export function expiryFrom(fields: ExpiryFields, now: number): ExpiryResult {
  if (!fields.enabled) return { ok: true, expiresAt: null };
  if (fields.date.trim() === '') return { ok: false, field: 'date', message: 'Choose an expiration date' };
  const date = parseDate(fields.date);
  if (typeof date === 'string') return { ok: false, field: 'date', message: date };
  const time = parseTime(fields.time.trim() === '' ? '00:00' : fields.time);
  if (typeof time === 'string') return { ok: false, field: 'time', message: time };
  const at = Date.UTC(date.year, date.month - 1, date.day, time.hours, time.minutes, time.seconds);
  if (at <= now) return { ok: false, field: 'date', message: 'The expiration must be in the future' };
  return { ok: true, expiresAt: new Date(at).toISOString() };
}

/** A quick pick: now plus so many days, to the minute. */
export function fieldsInDays(days: number, now: number): { date: string; time: string } {
  const at = new Date(Math.ceil((now + days * 86_400_000) / 60_000) * 60_000);
  return { date: at.toISOString().slice(0, 10), time: at.toISOString().slice(11, 16) };
}

/** The fields that show an existing expiry (RFC3339) for editing. */
export function fieldsFromInstant(iso: string | undefined | null): ExpiryFields {
  if (iso === undefined || iso === null) return { enabled: false, date: '', time: '' };
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return { enabled: false, date: '', time: '' };
  return { enabled: true, date: at.toISOString().slice(0, 10), time: at.toISOString().slice(11, 16) };
}
