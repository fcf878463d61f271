import { parseDuration, parseRfc3339 } from '../domain/durations.ts';

/** `--expiry` of the influxdb3-shaped commands: a duration from now (`30d`) or an RFC3339 time. */
export type ExpiryFlag = { durationMs: number } | { at: string; atMs: number };

/** The expiry fields of the v3 token bodies: InfluxDB's `expiry_secs`, or fluxgate's `expires_at`. */
export interface V3Expiry {
  expiry_secs?: number | null;
  expires_at?: string;
}

const LOOKS_ABSOLUTE = /^\d{4}-/;

/** Parses with the domain's own parsers, so a bad value is refused before any request, naming `flag`. */
export function parseExpiryFlag(text: string, flag: string): ExpiryFlag {
  const value = text.trim();
  if (LOOKS_ABSOLUTE.test(value)) return { at: value, atMs: parseRfc3339(value, flag) };
  return { durationMs: parseDuration(value, flag) };
}

export function v3Expiry(expiry: ExpiryFlag | undefined): V3Expiry {
  if (expiry === undefined) return { expiry_secs: null };
  if ('at' in expiry) return { expires_at: expiry.at };
  return { expiry_secs: Math.round(expiry.durationMs / 1000) };
}

/** Epoch milliseconds, for a token file written offline. */
export function expiryMillis(expiry: ExpiryFlag, now: number): number {
  return 'at' in expiry ? expiry.atMs : now + expiry.durationMs;
}
