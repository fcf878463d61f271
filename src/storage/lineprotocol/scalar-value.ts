import { DOT, LOWER_I, LOWER_U, MINUS, NINE, PLUS, ZERO } from './char-codes.ts';
import { INT64_MAX, INT64_MIN, parseDecimalInteger, UINT64_MAX } from './decimal-integer.ts';
import { parseFloatValue } from './float-value.ts';
import { fault, quote } from './line-fault.ts';
import type { FieldValue } from './types.ts';

function looksNumeric(c: number): boolean {
  return (c >= ZERO && c <= NINE) || c === MINUS || c === PLUS || c === DOT;
}

function parseBoolean(token: string): FieldValue | undefined {
  switch (token) {
    case 't':
    case 'T':
    case 'true':
    case 'True':
    case 'TRUE':
      return { type: 'boolean', value: true };
    case 'f':
    case 'F':
    case 'false':
    case 'False':
    case 'FALSE':
      return { type: 'boolean', value: false };
    default:
      return undefined;
  }
}

/** Parses an unquoted field value (float, integer, unsigned or boolean) in src[start, end). */
export function parseScalarValue(src: string, start: number, end: number, key: string): FieldValue {
  const first = src.charCodeAt(start);
  if (!looksNumeric(first)) {
    const bool = end - start <= 5 ? parseBoolean(src.slice(start, end)) : undefined;
    if (bool !== undefined) return bool;
    return fault(
      `invalid field value ${quote(src.slice(start, end))} for field ${quote(key)} (strings must be double-quoted)`,
    );
  }
  const last = src.charCodeAt(end - 1);
  if (last === LOWER_I) {
    const value = parseDecimalInteger(src, start, end - 1, true);
    if (value === undefined) fault(`invalid integer ${quote(src.slice(start, end))} for field ${quote(key)}`);
    if (value < INT64_MIN || value > INT64_MAX) {
      fault(`integer ${quote(src.slice(start, end))} is out of the int64 range for field ${quote(key)}`);
    }
    return { type: 'integer', value };
  }
  if (last === LOWER_U) {
    const value = parseDecimalInteger(src, start, end - 1, false);
    if (value === undefined) fault(`invalid unsigned integer ${quote(src.slice(start, end))} for field ${quote(key)}`);
    if (value > UINT64_MAX) {
      fault(`unsigned integer ${quote(src.slice(start, end))} is out of the uint64 range for field ${quote(key)}`);
    }
    return { type: 'uinteger', value };
  }
  const value = parseFloatValue(src, start, end);
  if (Number.isNaN(value)) fault(`invalid number ${quote(src.slice(start, end))} for field ${quote(key)}`);
  if (!Number.isFinite(value)) {
    fault(`float ${quote(src.slice(start, end))} is out of the float64 range for field ${quote(key)}`);
  }
  return { type: 'float', value };
}
