import { HASH, SPACE, TAB } from './char-codes.ts';
import { FastLineParser } from './fast-line-parser.ts';
import { LineBatch } from './line-batch.ts';
import { parseLineProtocol } from './parse.ts';
import { NANOS_PER_UNIT, parsePrecision } from './precision.ts';
import type { Precision } from './types.ts';

const NEWLINE = 10;
const CR = 13;
/** Fewer bytes than any realistic line: the first table's columns start this big and rarely grow. */
const BYTES_PER_LINE_HINT = 64;

/**
 * Parses a line-protocol body from its bytes into a `LineBatch`, with exactly the points and the
 * per-line errors `parseLineProtocol` gives for the body decoded as UTF-8: common lines are read
 * by `FastLineParser`, every other line is decoded and given to the general parser.
 */
export function parseLineProtocolBuffer(body: Buffer, precision: Precision): LineBatch {
  const batch = new LineBatch(Math.ceil(body.length / BYTES_PER_LINE_HINT) + 1);
  const fast = new FastLineParser(body, batch, NANOS_PER_UNIT[parsePrecision(precision)]);
  const length = body.length;
  let lineStart = 0;
  let lineNumber = 0;
  while (lineStart <= length) {
    let newline = body.indexOf(NEWLINE, lineStart);
    if (newline < 0) newline = length;
    lineNumber++;
    let lineEnd = newline;
    if (lineEnd > lineStart && body[lineEnd - 1] === CR) lineEnd--;

    let start = lineStart;
    while (start < lineEnd && (body[start] === SPACE || body[start] === TAB)) start++;
    let end = lineEnd;
    while (end > start && (body[end - 1] === SPACE || body[end - 1] === TAB)) end--;

    if (start < end && body[start] !== HASH && !fast.parse(start, end, lineNumber)) {
      // With its `\r`, if any: the general parser removes exactly one, as it does in a whole body.
      parseGeneral(batch, body.toString('utf8', lineStart, newline), lineNumber, precision);
    }
    lineStart = newline + 1;
  }
  return batch;
}

function parseGeneral(batch: LineBatch, line: string, lineNumber: number, precision: Precision): void {
  const { points, errors } = parseLineProtocol(line, precision);
  for (const { point } of points) batch.table(point.measurement).addPoint(lineNumber, point);
  for (const error of errors) batch.errors.push({ ...error, lineNumber });
}
