import { floorDiv, floorMod, localToInstantNs, zoneOffsetNs } from './time-zone.ts';

const NS_PER_MS = 1_000_000n;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * The instant a time string names, in nanoseconds: RFC3339 (`2024-01-02T03:04:05.123456789Z`,
 * `…+02:00`), `2024-01-02 03:04:05`, or a date alone (midnight). Without an offset the string is
 * local time in `zone` when the query has `tz()`, else UTC. Undefined when it is not a time.
 */
export function parseTimeString(text: string, zone?: string): bigint | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(Number(y));
  if (date.getUTCDate() !== day) return undefined;
  const local = BigInt(date.getTime()) * NS_PER_MS + BigInt(fraction.padEnd(9, '0') || '0');
  if (offset === undefined) return zone === undefined ? local : localToInstantNs(zone, local);
  if (offset === 'Z' || offset === 'z') return local;
  const sign = offset.startsWith('-') ? -1n : 1n;
  const digits = offset.slice(1).replace(':', '');
  const minutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return local - sign * minutes * 60_000_000_000n;
}

/**
 * RFC3339 with only the fraction digits needed (`2024-01-02T03:04:05.5Z`), as InfluxDB 1.x prints
 * times; with a zone, the local time and its offset (`2024-01-01T18:00:00-06:00`).
 */
export function formatRfc3339(ns: bigint, zone?: string): string {
  const offset = zone === undefined ? 0n : zoneOffsetNs(zone, ns);
  const local = ns + offset;
  const ms = floorDiv(local, NS_PER_MS);
  const subMs = floorMod(local, NS_PER_MS);
  const iso = new Date(Number(ms)).toISOString();
  const fractionNs = BigInt(iso.slice(20, 23)) * NS_PER_MS + subMs;
  const fraction = fractionNs === 0n ? '' : `.${String(fractionNs).padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 19)}${fraction}${zone === undefined ? 'Z' : offsetText(offset)}`;
}

function offsetText(offsetNs: bigint): string {
  if (offsetNs === 0n) return 'Z';
  const minutes = Number(offsetNs / 60_000_000_000n);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
