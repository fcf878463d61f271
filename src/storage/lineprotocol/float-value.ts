import { DOT, LOWER_E, MINUS, PLUS, UPPER_E, ZERO } from './char-codes.ts';

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Every integer below this is exact in a double; none from it on is guaranteed to be. */
export const TWO_POW_53 = 2 ** 53;
const MAX_EXACT_POWER = 22;
/** Exponents are read up to about this size; any larger one over- or underflows anyway. */
export const EXPONENT_CAP = 100_000;

/**
 * `mantissa × 10^scale` when one correctly rounded operation computes it, else NaN (the caller
 * then asks `Number` of the text, which is correctly rounded). `mantissa` is a non-negative integer
 * accumulated digit by digit as `m * 10 + d`: such a sum stays exact while it is below 2^53 and
 * comes out at 2^53 or more as soon as the true value reaches 2^53 (rounding is monotone), so
 * `mantissa < 2^53` proves it exact. With both operands exact doubles (10^k is exact up to 10^22),
 * the single multiply or divide is correctly rounded (Clinger's fast path). Above 10^22 the
 * mantissa may take some of the power first while it stays exact: `1e30` is 10^8 × 10^22.
 */
export function exactDecimal(mantissa: number, scale: number): number {
  if (!(mantissa < TWO_POW_53)) return Number.NaN;
  if (scale === 0) return mantissa;
  if (scale < 0) return scale >= -MAX_EXACT_POWER ? mantissa / EXACT_POWERS_OF_TEN[-scale]! : Number.NaN;
  if (scale <= MAX_EXACT_POWER) return mantissa * EXACT_POWERS_OF_TEN[scale]!;
  if (scale - MAX_EXACT_POWER > 15) return Number.NaN;
  const shifted = mantissa * EXACT_POWERS_OF_TEN[scale - MAX_EXACT_POWER]!;
  return shifted < TWO_POW_53 ? shifted * EXACT_POWERS_OF_TEN[MAX_EXACT_POWER]! : Number.NaN;
}

/**
 * Parses a line-protocol float (`-?(digits[.digits*]|.digits)([eE][+-]?digits)?`) in src[start, end).
 * Returns NaN when the text has another shape; may return ±Infinity when it overflows. The result
 * equals `Number(text)` bit for bit: through `exactDecimal` where it applies, else through `Number`.
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
      if (exponent < EXPONENT_CAP) exponent = exponent * 10 + digit;
    }
    if (i === exponentStart) return Number.NaN;
    if (exponentNegative) exponent = -exponent;
  }
  const value = exactDecimal(mantissa, exponent - fractionDigits);
  if (!Number.isNaN(value)) return negative ? -value : value;
  return Number(src.slice(start, end));
}
