import { parseDuration, parseRfc3339, requireFuture } from './durations.ts';
import { fail } from './errors.ts';

/**
 * Token expiry, as every face spells it, parsed and checked in one place. An absolute time must be
 * in the future; a duration counts from now; zero or negative is refused (InfluxDB 3 silently creates
 * a token that is dead on arrival). Null means "never expires".
 */
export interface ExpiryInput {
  /** RFC3339; null removes an expiry (on update). */
  expiresAt?: string | null | undefined;
  /** A duration from now: `7d`, `12h`, `1h30m`. */
  expiresIn?: string | null | undefined;
  /** InfluxDB 3's `expiry_secs`. */
  expirySecs?: number | null | undefined;
  /** Cloud Dedicated's `expirationType`: `datetime` or `noExpiration`. */
  expirationType?: string | null | undefined;
  /** Explicitly no expiry (the CLI's `--no-expiry`). */
  never?: boolean | undefined;
}

/** How each face names the fields, so an error names the one the client sent. */
export interface ExpiryFields {
  at: string;
  in: string;
  secs?: string;
  type?: string;
  never?: string;
}

export const V0_EXPIRY_FIELDS: ExpiryFields = {
  at: 'expiresAt',
  in: 'expiresIn',
  type: 'expirationType',
  never: 'noExpiry',
};

/** Year 9999: later than any real expiry, earlier than anything that breaks a date type. */
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59);
const MAX_EXPIRY_SECS = 100_000_000_000;

/**
 * The expiry an input asks for: epoch ms, null for "never", or undefined when the input says
 * nothing (a create then never expires; an update leaves the expiry alone).
 */
export function parseExpiry(
  input: ExpiryInput,
  now: number,
  fields: ExpiryFields = V0_EXPIRY_FIELDS,
): number | null | undefined {
  const given = [
    input.expiresAt !== undefined ? fields.at : undefined,
    input.expiresIn !== undefined && input.expiresIn !== null ? fields.in : undefined,
    input.expirySecs !== undefined && input.expirySecs !== null ? (fields.secs ?? 'expiry_secs') : undefined,
    input.never === true ? (fields.never ?? 'never') : undefined,
  ].filter((name): name is string => name !== undefined);
  if (given.length > 1) {
    fail('INVALID_EXPIRY', `give only one of ${given.join(' and ')}`, { field: given[1] });
  }
  const type = input.expirationType;
  if (type !== undefined && type !== null) {
    const typeField = fields.type ?? 'expirationType';
    if (type === 'noExpiration') {
      if (given.length > 0 && input.expiresAt !== null && input.never !== true) {
        fail('INVALID_EXPIRY', `${typeField} noExpiration cannot come with ${given[0]}`, { field: given[0] });
      }
      return null;
    }
    if (type !== 'datetime') {
      fail('INVALID_EXPIRY', `${typeField} must be datetime or noExpiration, not '${String(type)}'`, {
        field: typeField,
      });
    }
    if (given.length === 0 || input.expiresAt === null || input.never === true) {
      fail('INVALID_EXPIRY', `${typeField} datetime needs ${fields.at} or ${fields.in}`, { field: fields.at });
    }
  }
  if (input.never === true || input.expiresAt === null) return null;
  if (input.expiresAt !== undefined) {
    if (typeof input.expiresAt !== 'string') {
      fail('INVALID_EXPIRY', `${fields.at} must be an RFC3339 string or null`, { field: fields.at });
    }
    return withinRange(requireFuture(parseRfc3339(input.expiresAt, fields.at), now, fields.at), fields.at);
  }
  if (input.expiresIn !== undefined && input.expiresIn !== null) {
    return withinRange(now + parseDuration(String(input.expiresIn), fields.in), fields.in);
  }
  if (input.expirySecs !== undefined && input.expirySecs !== null) {
    const secs = input.expirySecs;
    const field = fields.secs ?? 'expiry_secs';
    if (!Number.isSafeInteger(secs) || secs <= 0) {
      fail('INVALID_EXPIRY', `${field} must be a positive whole number of seconds, not ${secs}`, { field });
    }
    if (secs > MAX_EXPIRY_SECS) fail('INVALID_EXPIRY', `${field} ${secs} is too far in the future`, { field });
    return now + secs * 1000;
  }
  return undefined;
}

/** An expiry given either as a duration from now or as an absolute RFC3339 time; null when neither. */
export function resolveExpiry(input: { in?: string; at?: string }, now: number): number | null {
  return parseExpiry({ expiresIn: input.in, expiresAt: input.at }, now, { at: 'expires_at', in: 'expiry' }) ?? null;
}

function withinRange(at: number, field: string): number {
  if (at > LATEST_EXPIRY) fail('INVALID_EXPIRY', `${field} is too far in the future (after the year 9999)`, { field });
  return at;
}

/** True when a token expiring at `expiresAt` (null: never) expires no later than one expiring at `ceiling`. */
export function expiresWithin(expiresAt: number | null, ceiling: number): boolean {
  return (expiresAt ?? Number.POSITIVE_INFINITY) <= ceiling;
}
