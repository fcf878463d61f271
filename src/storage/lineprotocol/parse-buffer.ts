import { isUtf8 } from 'node:buffer';
import { HASH, SPACE, TAB } from './char-codes.ts';
import { FastLineParser } from './fast-line-parser.ts';
import { LineBatch } from './line-batch.ts';
import { parseLineProtocol } from './parse.ts';
import { guessTimeNs, NANOS_PER_UNIT } from './precision.ts';
import type { Precision } from './types.ts';

const NEWLINE = 10;
const CR = 13;
/** Fewer bytes than any realistic line: the first table's columns start this big and rarely grow. */
const BYTES_PER_LINE_HINT = 64;
const MAX_ORIGINAL_BYTES = 1000;

/**
 * Parses a line-protocol body from its bytes into a `LineBatch`, with exactly the points and the
 * per-line errors `parseLineProtocol` gives for the body decoded as UTF-8: common lines are read
 * by `FastLineParser`; each run of other lines is decoded and given to the general parser in one
 * call (one call per line would cost a parser per line: a body of string fields parsed 3× slower).
 */
export function parseLineProtocolBuffer(body: Buffer, precision: Precision): LineBatch {
  const batch = new LineBatch(Math.ceil(body.length / BYTES_PER_LINE_HINT) + 1);
  const fast = new FastLineParser(body, batch, NANOS_PER_UNIT[precision]);
  const length = body.length;
  // One pass over the whole body (simdutf); only a body that fails it is checked line by line.
  const checkLines = !isUtf8(body);
  let lineStart = 0;
  let lineNumber = 0;
  // The run of lines the fast parser declined, not yet given to the general parser: from the start
  // of its first line; blank and comment lines inside it go along (the general parser skips them).
  let runStart = -1;
  let runFirstLine = 0;
  let runEnd = 0;
  /** Stores the held run (up to runEnd) through the general parser; the fast parser calls it before storing a line. */
  const flushRun = () => {
    if (runStart < 0) return;
    parseRun(batch, body.toString('utf8', runStart, runEnd), runFirstLine, precision);
    runStart = -1;
  };
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

    if (start < end && body[start] !== HASH) {
      runEnd = lineStart;
      if (checkLines && !isUtf8(body.subarray(start, end))) {
        flushRun();
        batch.errors.push({
          lineNumber,
          originalLine: body.toString('utf8', start, Math.min(end, start + MAX_ORIGINAL_BYTES)),
          message: 'the line is not valid UTF-8',
        });
      } else if (fast.parse(start, end, lineNumber, flushRun)) {
        // flushRun ran just before the fast parser stored the line.
      } else if (runStart < 0) {
        runStart = lineStart;
        runFirstLine = lineNumber;
      }
    }
    lineStart = newline + 1;
  }
  runEnd = length;
  flushRun();
  if (precision === 'auto') for (const table of batch.tables) guessTimes(table.times, table.rowCount);
  return batch;
}

/** Scales raw `auto` timestamps in place; rows without a time hold 0, which stays 0. */
function guessTimes(times: BigInt64Array, count: number): void {
  let lastRaw = 0n;
  let lastNs = 0n;
  for (let row = 0; row < count; row++) {
    const raw = times[row]!;
    if (raw !== lastRaw) {
      lastRaw = raw;
      lastNs = guessTimeNs(raw);
    }
    times[row] = lastNs;
  }
}

/** Parses consecutive lines of the body, the first of them numbered `firstLine` in it. */
function parseRun(batch: LineBatch, text: string, firstLine: number, precision: Precision): void {
  // `auto` times are scaled once the whole batch is read, so they are read raw here.
  const { points, errors } = parseLineProtocol(text, precision === 'auto' ? 'ns' : precision);
  const offset = firstLine - 1;
  for (const { point, lineNumber } of points) batch.table(point.measurement).addPoint(lineNumber + offset, point);
  for (const error of errors) batch.errors.push({ ...error, lineNumber: error.lineNumber + offset });
}
