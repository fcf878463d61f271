import { MINUS, ZERO } from './char-codes.ts';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
/**
 * The times InfluxDB accepts, in nanoseconds: int64 without its two lowest values and its highest,
 * which stand for -infinity and infinity in a TIMESTAMP_NS column (and for "no time" in InfluxDB).
 */
export const MIN_TIME_NS = INT64_MIN + 2n;
export const MAX_TIME_NS = INT64_MAX - 1n;

/** Far outside every 64-bit range; stands in for values with absurdly many digits. */
const HUGE = 2n ** 80n;
const MAX_EXACT_DIGITS = 15;

/**
 * Parses `-?[0-9]+` (the sign only when `signed`) in src[start, end) to a bigint, or returns
 * undefined when the text has another shape. Values beyond 20 significant digits come back as a
 * huge stand-in, so callers' range checks reject them without a costly BigInt of a long string.
 */
export function parseDecimalInteger(src: string, start: number, end: number, signed: boolean): bigint | undefined {
  let i = start;
  let negative = false;
  if (signed && i < end && src.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  if (i >= end) return undefined;
  let value = 0;
  let firstSignificant = -1;
  for (; i < end; i++) {
    const digit = src.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    if (firstSignificant < 0 && digit !== 0) firstSignificant = i;
    value = value * 10 + digit;
  }
  if (firstSignificant < 0) return 0n;
  const significant = end - firstSignificant;
  if (significant <= MAX_EXACT_DIGITS) return BigInt(negative ? -value : value);
  if (significant > 20) return negative ? -HUGE : HUGE;
  const magnitude = BigInt(src.slice(firstSignificant, end));
  return negative ? -magnitude : magnitude;
}
