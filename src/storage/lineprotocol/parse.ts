import { HASH, SPACE, TAB } from './char-codes.ts';
import { LineFault } from './line-fault.ts';
import { LineParser } from './line-parser.ts';
import { guessTimeNs, NANOS_PER_UNIT, parsePrecision } from './precision.ts';
import type { LineError, ParsedLine, ParseResult, Precision } from './types.ts';

export { parsePrecision } from './precision.ts';

const CR = 13;
const MAX_ORIGINAL_LINE = 1000;

function clipLine(body: string, start: number, end: number): string {
  let clippedEnd = end - start > MAX_ORIGINAL_LINE ? start + MAX_ORIGINAL_LINE : end;
  // Do not cut a surrogate pair in half.
  if (clippedEnd < end) {
    const last = body.charCodeAt(clippedEnd - 1);
    if (last >= 0xd800 && last <= 0xdbff) clippedEnd--;
  }
  return body.slice(start, clippedEnd);
}

/**
 * Parses an InfluxDB line-protocol body. Never throws for any body: every line that is not blank
 * or a `#` comment becomes either a point or an error, with 1-based physical line numbers.
 */
export function parseLineProtocol(body: string, precision: Precision): ParseResult {
  const points: ParsedLine[] = [];
  const errors: LineError[] = [];
  const parser = new LineParser(body, NANOS_PER_UNIT[parsePrecision(precision)]);
  const length = body.length;
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart <= length) {
    let newline = body.indexOf('\n', lineStart);
    if (newline < 0) newline = length;
    lineNumber++;
    let lineEnd = newline;
    if (lineEnd > lineStart && body.charCodeAt(lineEnd - 1) === CR) lineEnd--;

    let start = lineStart;
    let c = body.charCodeAt(start);
    while (start < lineEnd && (c === SPACE || c === TAB)) c = body.charCodeAt(++start);
    let end = lineEnd;
    c = body.charCodeAt(end - 1);
    while (end > start && (c === SPACE || c === TAB)) c = body.charCodeAt(--end - 1);

    if (start < end && body.charCodeAt(start) !== HASH) {
      try {
        points.push({ lineNumber, point: parser.parse(start, end) });
      } catch (error) {
        const message = error instanceof LineFault ? error.message : `internal parser error: ${String(error)}`;
        errors.push({ lineNumber, originalLine: clipLine(body, lineStart, lineEnd), message });
      }
    }
    lineStart = newline + 1;
  }
  if (precision === 'auto') {
    for (const { point } of points) if (point.timestampNs !== null) point.timestampNs = guessTimeNs(point.timestampNs);
  }
  return { points, errors };
}
