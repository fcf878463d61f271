import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  type DuckDBValue,
} from '@duckdb/node-api';

const NS_PER_MS = 1_000_000n;
/** The widest instant a JS Date holds, in milliseconds either side of the epoch. */
const MAX_DATE_MS = 8_640_000_000_000_000n;

/**
 * Converts one engine value to a JSON-safe value: integers beyond 2^53 become decimal strings,
 * non-finite doubles null, timestamps RFC3339 UTC strings, dates `YYYY-MM-DD`, nested values
 * arrays and objects, blobs base64, anything else its string form.
 */
export function toJsonValue(value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return bigintToJson(value);
  }
  if (value instanceof DuckDBTimestampNanosecondsValue) return timestamp(value.nanos, 1n);
  if (value instanceof DuckDBTimestampValue) return timestamp(value.micros, 1_000n);
  if (value instanceof DuckDBTimestampTZValue) return timestamp(value.micros, 1_000n);
  if (value instanceof DuckDBTimestampMillisecondsValue) return timestamp(value.millis, NS_PER_MS);
  if (value instanceof DuckDBTimestampSecondsValue) return timestamp(value.seconds, 1_000_000_000n);
  if (value instanceof DuckDBDateValue) return value.isFinite ? value.toString() : infinity(value.days);
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toJsonValue);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([key, item]) => [key, toJsonValue(item)]));
  }
  if (value instanceof DuckDBMapValue) {
    return Object.fromEntries(value.entries.map((entry) => [String(toJsonValue(entry.key)), toJsonValue(entry.value)]));
  }
  if (value instanceof DuckDBUnionValue) return toJsonValue(value.value);
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  return String(value);
}

export function bigintToJson(value: bigint): number | string {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

/**
 * DuckDB stores ±infinity of every timestamp unit as ±(2^63 - 1). Tested here rather than with the
 * value's `isFinite`, which is a native call per value.
 */
const INFINITE_COUNT = 2n ** 63n - 1n;

function timestamp(count: bigint, nsPerUnit: bigint): string {
  return count === INFINITE_COUNT || count === -INFINITE_COUNT ? infinity(count) : formatTimestampNs(count * nsPerUnit);
}

function infinity(sign: bigint | number): string {
  return sign > 0 ? 'infinity' : '-infinity';
}

const recentTimestamps = new Map<bigint, string>();
const RECENT_TIMESTAMPS_MAX = 4096;

/**
 * RFC3339 in UTC with as many fraction digits as needed, up to nanoseconds: `2024-11-25T01:02:03.123456789Z`.
 * Results repeat timestamps (a bucket per group, a time per series), so recent ones are remembered.
 */
export function formatTimestampNs(nanos: bigint): string {
  const known = recentTimestamps.get(nanos);
  if (known !== undefined) return known;
  const text = formatTimestampNsUncached(nanos);
  if (recentTimestamps.size >= RECENT_TIMESTAMPS_MAX) recentTimestamps.clear();
  recentTimestamps.set(nanos, text);
  return text;
}

function formatTimestampNsUncached(nanos: bigint): string {
  let ms = nanos / NS_PER_MS;
  let subMs = nanos % NS_PER_MS;
  if (subMs < 0n) {
    subMs += NS_PER_MS;
    ms -= 1n;
  }
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return `${nanos}ns`;
  const iso = new Date(Number(ms)).toISOString();
  const dot = iso.lastIndexOf('.');
  const fractionNs = BigInt(iso.slice(dot + 1, dot + 4)) * NS_PER_MS + subMs;
  const fraction = fractionNs.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, dot)}${fraction === '' ? '' : `.${fraction}`}Z`;
}
