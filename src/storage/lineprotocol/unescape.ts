import { BACKSLASH, COMMA, EQUALS, QUOTE, SPACE } from './char-codes.ts';

/**
 * Removes the backslash before each character `escapable` accepts in src[start, end); a backslash
 * before any other character is kept literally, as InfluxDB does.
 */
function removeEscapes(src: string, start: number, end: number, escapable: (code: number) => boolean): string {
  let out = '';
  let chunk = start;
  let i = start;
  while (i < end) {
    if (src.charCodeAt(i) !== BACKSLASH || i + 1 >= end) {
      i++;
      continue;
    }
    if (escapable(src.charCodeAt(i + 1))) {
      out += src.slice(chunk, i);
      chunk = i + 1;
    }
    i += 2;
  }
  return out + src.slice(chunk, end);
}

const inMeasurement = (code: number) => code === COMMA || code === SPACE || code === BACKSLASH;
const inKey = (code: number) => inMeasurement(code) || code === EQUALS;
const inString = (code: number) => code === QUOTE || code === BACKSLASH;

/** `\,` `\ ` `\\` in a measurement; tag keys, tag values and field keys also `\=`. */
export function unescapeName(src: string, start: number, end: number, isMeasurement: boolean): string {
  return removeEscapes(src, start, end, isMeasurement ? inMeasurement : inKey);
}

/** The body of a string field value: `\"` and `\\`. */
export function unescapeString(src: string, start: number, end: number): string {
  return removeEscapes(src, start, end, inString);
}
