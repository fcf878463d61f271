import { COMMA, DOT, LOWER_I, LOWER_U, MINUS, SPACE, ZERO } from './char-codes.ts';

export const SIMPLE_FLOAT = 0;
export const SIMPLE_INTEGER = 1;
export const SIMPLE_UINTEGER = 2;

/** Where a simple number ended, what it was and its value; reused to avoid an allocation per field. */
export interface SimpleNumber {
  end: number;
  kind: number;
  value: number;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);
const MAX_DIGITS = 15;

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
  if (digits === 0 || digits > MAX_DIGITS) return false;
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
