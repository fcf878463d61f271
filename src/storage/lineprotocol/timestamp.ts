import { MINUS, SPACE, ZERO } from './char-codes.ts';
import { MAX_TIME_NS, MIN_TIME_NS, parseDecimalInteger } from './decimal-integer.ts';
import { fault, quote } from './line-fault.ts';

export const TIME_RANGE = `a time must be from ${MIN_TIME_NS} to ${MAX_TIME_NS} nanoseconds`;

/** Digits per half when packing a timestamp's digits into two exact doubles. */
const PACKED_DIGITS = 15;

/** Parses a signed integer timestamp in src[start, end) and scales it to nanoseconds (int64). */
export function parseTimestamp(src: string, start: number, end: number, nanosPerUnit: bigint): bigint {
  const raw = parseDecimalInteger(src, start, end, true);
  if (raw === undefined) fault(`invalid timestamp ${quote(src.slice(start, end))}`);
  const nanos = nanosPerUnit === 1n ? raw : raw * nanosPerUnit;
  if (nanos < MIN_TIME_NS || nanos > MAX_TIME_NS) {
    fault(`timestamp ${quote(src.slice(start, end))} is out of range (${TIME_RANGE})`);
  }
  return nanos;
}

/**
 * Reads the timestamps of one body. Consecutive lines usually carry the same timestamp, so while
 * scanning it packs the digits into two doubles and reuses the previous value when they match,
 * skipping the BigInt parse and allocation.
 */
export class TimestampScanner {
  /** Where the last scanned timestamp ended. */
  end = 0;
  private readonly nanosPerUnit: bigint;
  private lastLength = -1;
  private lastHigh = 0;
  private lastLow = 0;
  private lastNegative = false;
  private last = 0n;

  constructor(nanosPerUnit: bigint) {
    this.nanosPerUnit = nanosPerUnit;
  }

  /** Scans the timestamp starting at `start` up to a space or `end`; sets `this.end`. */
  scan(src: string, start: number, end: number): bigint {
    let pos = start;
    let high = 0;
    let low = 0;
    let digits = 0;
    let plain = true;
    const negative = pos < end && src.charCodeAt(pos) === MINUS;
    if (negative) pos++;
    for (; pos < end; pos++) {
      const c = src.charCodeAt(pos);
      if (c === SPACE) break;
      const digit = c - ZERO;
      if (digit < 0 || digit > 9) plain = false;
      else if (digits++ < PACKED_DIGITS) high = high * 10 + digit;
      else low = low * 10 + digit;
    }
    this.end = pos;
    const length = pos - start;
    // Only all-digit text can be packed; two such texts with the same length, sign and halves are equal.
    const packable = plain && digits <= 2 * PACKED_DIGITS;
    if (packable && length === this.lastLength && high === this.lastHigh && low === this.lastLow) {
      if (negative === this.lastNegative) return this.last;
    }
    const timestamp = parseTimestamp(src, start, pos, this.nanosPerUnit);
    if (packable) {
      this.lastLength = length;
      this.lastHigh = high;
      this.lastLow = low;
      this.lastNegative = negative;
      this.last = timestamp;
    }
    return timestamp;
  }
}
