import { DOT, LOWER_E, MINUS, PLUS, UPPER_E, ZERO } from './char-codes.ts';

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_DIGITS = 15;

/**
 * Parses a line-protocol float (`-?(digits[.digits*]|.digits)([eE][+-]?digits)?`) in src[start, end).
 * Returns NaN when the text has another shape; may return ±Infinity when it overflows.
 * Short values are computed directly: with at most 15 digits and a power of ten of at most 22,
 * both operands are exact doubles and the single multiply or divide is correctly rounded.
 */
export function parseFloatValue(src: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && src.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  for (; i < end; i++) {
    const digit = src.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  if (i < end && src.charCodeAt(i) === DOT) {
    for (i++; i < end; i++) {
      const digit = src.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      fractionDigits++;
    }
    digits += fractionDigits;
  }
  if (digits === 0) return Number.NaN;
  let exponent = 0;
  if (i < end) {
    const c = src.charCodeAt(i);
    if (c !== LOWER_E && c !== UPPER_E) return Number.NaN;
    i++;
    let exponentNegative = false;
    if (i < end && (src.charCodeAt(i) === MINUS || src.charCodeAt(i) === PLUS)) {
      exponentNegative = src.charCodeAt(i) === MINUS;
      i++;
    }
    const exponentStart = i;
    for (; i < end; i++) {
      const digit = src.charCodeAt(i) - ZERO;
      if (digit < 0 || digit > 9) return Number.NaN;
      if (exponent < 100_000) exponent = exponent * 10 + digit;
    }
    if (i === exponentStart) return Number.NaN;
    if (exponentNegative) exponent = -exponent;
  }
  if (digits <= MAX_EXACT_DIGITS) {
    const scale = exponent - fractionDigits;
    let value: number | undefined;
    if (scale === 0) value = mantissa;
    else if (scale > 0 && scale <= 22) value = mantissa * EXACT_POWERS_OF_TEN[scale]!;
    else if (scale < 0 && scale >= -22) value = mantissa / EXACT_POWERS_OF_TEN[-scale]!;
    if (value !== undefined) return negative ? -value : value;
  }
  return Number(src.slice(start, end));
}
