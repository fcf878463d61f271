import { BACKSLASH, COMMA, EQUALS, QUOTE, SPACE } from './char-codes.ts';

/**
 * Removes the backslash from `\,` `\ ` `\\` (and `\=` unless `isMeasurement`) in src[start, end).
 * A backslash before any other character is kept literally, as InfluxDB does.
 */
export function unescapeName(src: string, start: number, end: number, isMeasurement: boolean): string {
  let out = '';
  let chunk = start;
  let i = start;
  while (i < end) {
    if (src.charCodeAt(i) !== BACKSLASH || i + 1 >= end) {
      i++;
      continue;
    }
    const next = src.charCodeAt(i + 1);
    if (next === COMMA || next === SPACE || next === BACKSLASH || (next === EQUALS && !isMeasurement)) {
      out += src.slice(chunk, i);
      chunk = i + 1;
    }
    i += 2;
  }
  return out + src.slice(chunk, end);
}

/** Unescapes the body of a string field value: `\"` and `\\`; any other backslash is literal. */
export function unescapeString(src: string, start: number, end: number): string {
  let out = '';
  let chunk = start;
  let i = start;
  while (i < end) {
    if (src.charCodeAt(i) !== BACKSLASH || i + 1 >= end) {
      i++;
      continue;
    }
    const next = src.charCodeAt(i + 1);
    if (next === QUOTE || next === BACKSLASH) {
      out += src.slice(chunk, i);
      chunk = i + 1;
    }
    i += 2;
  }
  return out + src.slice(chunk, end);
}
