import { COMMA, DOT, LOWER_I, LOWER_U, MINUS, SPACE, ZERO } from './char-codes.ts';

/** The same scan over bytes is in FastLineParser (one reads UTF-16 code units, the other bytes). */
export const SIMPLE_FLOAT = 0;
export const SIMPLE_INTEGER = 1;
export const SIMPLE_UINTEGER = 2;

/** Where a simple number ended, what it was and its value; reused to avoid an allocation per field. */
export interface SimpleNumber {
  end: number;
  kind: number;
  value: number;
}

/** Digits a simple number may have: any such integer is exact in a double. */
export const MAX_SIMPLE_DIGITS = 15;
export const POWERS_OF_TEN: readonly number[] = Array.from({ length: MAX_SIMPLE_DIGITS + 1 }, (_, i) => 10 ** i);

/**
 * The common field values in one pass: `-?digits[.digits]` with at most 15 digits, optionally
 * followed by `i` or `u`, then a comma, space or the end. Such values are exact in a double, and
 * dividing by an exact power of ten is correctly rounded, so the result equals `Number(text)`.
 * Returns false (leaving `out` unspecified) for anything else; the general parser handles it.
 */
export function scanSimpleNumber(src: string, start: number, end: number, out: SimpleNumber): boolean {
  let pos = start;
  let negative = false;
  if (pos < end && src.charCodeAt(pos) === MINUS) {
    negative = true;
    pos++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let dot = false;
  let c = 0;
  for (; pos < end; pos++) {
    c = src.charCodeAt(pos);
    const digit = c - ZERO;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      if (dot) fractionDigits++;
    } else if (c === DOT && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits === 0 || digits > MAX_SIMPLE_DIGITS) return false;
  let kind = SIMPLE_FLOAT;
  if (pos < end && (c === LOWER_I || c === LOWER_U)) {
    if (dot || (c === LOWER_U && negative)) return false;
    kind = c === LOWER_I ? SIMPLE_INTEGER : SIMPLE_UINTEGER;
    pos++;
    c = pos < end ? src.charCodeAt(pos) : COMMA;
  }
  if (pos < end && c !== COMMA && c !== SPACE) return false;
  const magnitude = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits]!;
  out.end = pos;
  out.kind = kind;
  out.value = negative ? -magnitude : magnitude;
  return true;
}
