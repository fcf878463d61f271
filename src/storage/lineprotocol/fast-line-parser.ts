import type { BatchColumnKind } from './batch-column.ts';
import { ByteNameCache } from './byte-name-cache.ts';
import { BACKSLASH, COMMA, DOT, EQUALS, LOWER_I, LOWER_U, MINUS, SPACE, ZERO } from './char-codes.ts';
import { MAX_TIME_NS, MIN_TIME_NS } from './decimal-integer.ts';
import type { LineBatch } from './line-batch.ts';
import { cacheSlots } from './line-parser.ts';
import { HASH_PRIME, HASH_SEED } from './name-cache.ts';
import {
  SIMPLE_FLOAT as FLOAT,
  SIMPLE_INTEGER as INTEGER,
  MAX_SIMPLE_DIGITS,
  POWERS_OF_TEN,
  SIMPLE_UINTEGER as UINTEGER,
} from './simple-number.ts';
import type { TableBatch } from './table-batch.ts';

/** Tags plus fields beyond this go to the general parser. */
const MAX_PAIRS = 128;
/** int64 has 19 digits; longer timestamps are out of range, and the general parser says so. */
const MAX_TIMESTAMP_DIGITS = 19;
const NUMBER_KINDS: readonly BatchColumnKind[] = ['float', 'integer', 'uinteger'];
const RESERVED_KEY = 'time';

/**
 * Parses the common lines of a body straight from its bytes into a `LineBatch`: names without
 * escapes, numeric fields written the simple way (`-?digits[.digits]`, optionally `i` or `u`),
 * an integer timestamp. Anything else (escapes, strings, booleans, exponents, any mistake) makes
 * `parse` return false without storing anything, and the caller hands the line to the general
 * parser, which owns the error messages. Names are matched against the previous line's before
 * any string is made, and timestamps repeated from the previous line are not parsed again.
 */
export class FastLineParser {
  private readonly tagValues: ByteNameCache;
  private table: TableBatch | undefined;
  private measurementStart = 0;
  private measurementLength = -1;
  // The keys at each position of the previous line of the same table, with their columns.
  private readonly tagKeyStarts = new Int32Array(MAX_PAIRS);
  private readonly tagKeyLengths = new Int32Array(MAX_PAIRS);
  private readonly tagKeyColumns = new Int32Array(MAX_PAIRS);
  private tagKeysKnown = 0;
  private readonly fieldKeyStarts = new Int32Array(MAX_PAIRS);
  private readonly fieldKeyLengths = new Int32Array(MAX_PAIRS);
  private readonly fieldKinds = new Uint8Array(MAX_PAIRS);
  private readonly fieldKeyColumns = new Int32Array(MAX_PAIRS);
  private fieldKeysKnown = 0;
  // The line being parsed: its columns (tags first), tag values and field numbers.
  private readonly columns = new Int32Array(MAX_PAIRS);
  private readonly strings: string[] = [];
  private readonly numbers = new Float64Array(MAX_PAIRS);
  // The shape of the previous line, reused while lines write the same columns.
  private readonly shapeColumns = new Int32Array(MAX_PAIRS);
  private shapeCount = -1;
  private shapeTagCount = 0;
  private shape = -1;
  private timeStart = 0;
  private timeLength = -1;
  private time = 0n;

  constructor(
    private readonly body: Buffer,
    private readonly batch: LineBatch,
    private readonly nanosPerUnit: bigint,
  ) {
    this.tagValues = new ByteNameCache(body, cacheSlots(body.length));
  }

  /** Parses body[start, end) (trimmed, not blank, not a comment) into the batch; false if it is not a common line. */
  parse(start: number, end: number, lineNumber: number): boolean {
    const body = this.body;
    let pos = start;
    let c = 0;
    while (pos < end) {
      c = body[pos]!;
      if (c === COMMA || c === SPACE) break;
      if (c === BACKSLASH) return false;
      pos++;
    }
    if (pos === start || pos >= end) return false;
    const table = this.tableOf(start, pos);

    let count = 0;
    while (body[pos] === COMMA) {
      const keyStart = ++pos;
      pos = this.keyEnd(keyStart, end);
      if (pos < 0 || count === MAX_PAIRS) return false;
      this.columns[count] = this.tagColumn(table, count, keyStart, pos);
      const valueStart = ++pos;
      let hash = HASH_SEED;
      while (pos < end) {
        c = body[pos]!;
        if (c === COMMA || c === SPACE) break;
        if (c === BACKSLASH) return false;
        hash = Math.imul(hash ^ c, HASH_PRIME);
        pos++;
      }
      if (pos === valueStart || pos >= end) return false;
      this.strings[count++] = this.tagValues.get(valueStart, pos, hash);
    }
    const tagCount = count;
    while (pos < end && body[pos] === SPACE) pos++;

    for (;;) {
      const keyStart = pos;
      pos = this.keyEnd(keyStart, end);
      if (pos < 0 || count === MAX_PAIRS) return false;
      const keyEnd = pos++;
      const negative = pos < end && body[pos] === MINUS;
      if (negative) pos++;
      let mantissa = 0;
      let digits = 0;
      let fractionDigits = 0;
      let dot = false;
      for (; pos < end; pos++) {
        c = body[pos]!;
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
      let kind = FLOAT;
      if (pos < end && (c === LOWER_I || c === LOWER_U)) {
        if (dot || (c === LOWER_U && negative)) return false;
        kind = c === LOWER_I ? INTEGER : UINTEGER;
        pos++;
      }
      if (pos < end && body[pos] !== COMMA && body[pos] !== SPACE) return false;
      const magnitude = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits]!;
      this.numbers[count] = negative ? -magnitude : magnitude;
      this.columns[count] = this.fieldColumn(table, count - tagCount, keyStart, keyEnd, kind);
      count++;
      if (pos >= end || body[pos] === SPACE) break;
      pos++;
    }

    let timeNs: bigint | null = null;
    if (pos < end) {
      while (body[pos] === SPACE) pos++;
      const scanned = this.timestamp(pos, end);
      if (scanned === undefined) return false;
      timeNs = scanned;
    }
    const shape = this.shapeOf(table, count, tagCount);
    if (shape < 0) return false;

    const row = table.addRow(lineNumber, shape, timeNs);
    const columns = table.columns;
    for (let i = 0; i < tagCount; i++) columns[this.columns[i]!]!.setString(row, this.strings[i]!);
    for (let i = tagCount; i < count; i++) columns[this.columns[i]!]!.setNumber(row, this.numbers[i]!);
    return true;
  }

  private tableOf(start: number, end: number): TableBatch {
    const length = end - start;
    if (
      this.table !== undefined &&
      length === this.measurementLength &&
      this.same(start, this.measurementStart, length)
    ) {
      return this.table;
    }
    const table = this.batch.table(this.body.toString('utf8', start, end));
    if (table !== this.table) {
      this.table = table;
      this.tagKeysKnown = 0;
      this.fieldKeysKnown = 0;
      this.shapeCount = -1;
    }
    this.measurementStart = start;
    this.measurementLength = length;
    return table;
  }

  private tagColumn(table: TableBatch, index: number, start: number, end: number): number {
    const length = end - start;
    if (index < this.tagKeysKnown && length === this.tagKeyLengths[index]) {
      if (this.same(start, this.tagKeyStarts[index]!, length)) return this.tagKeyColumns[index]!;
    }
    const column = table.columnId(this.body.toString('utf8', start, end), 'tag');
    this.tagKeyStarts[index] = start;
    this.tagKeyLengths[index] = length;
    this.tagKeyColumns[index] = column;
    this.tagKeysKnown = index + 1;
    return column;
  }

  private fieldColumn(table: TableBatch, index: number, start: number, end: number, kind: number): number {
    const length = end - start;
    if (index < this.fieldKeysKnown && length === this.fieldKeyLengths[index] && kind === this.fieldKinds[index]) {
      if (this.same(start, this.fieldKeyStarts[index]!, length)) return this.fieldKeyColumns[index]!;
    }
    const column = table.columnId(this.body.toString('utf8', start, end), NUMBER_KINDS[kind]!);
    this.fieldKeyStarts[index] = start;
    this.fieldKeyLengths[index] = length;
    this.fieldKinds[index] = kind;
    this.fieldKeyColumns[index] = column;
    this.fieldKeysKnown = index + 1;
    return column;
  }

  /** The shape of the line just scanned, or -1 if its keys break a rule the general parser reports. */
  private shapeOf(table: TableBatch, count: number, tagCount: number): number {
    const previous = this.shapeColumns;
    const columns = this.columns;
    if (count === this.shapeCount && tagCount === this.shapeTagCount) {
      let i = 0;
      while (i < count && columns[i] === previous[i]) i++;
      if (i === count) return this.shape;
    }
    if (!validKeys(table, columns, count)) return -1;
    this.shape = table.shapeId(columns, count, tagCount);
    previous.set(columns.subarray(0, count));
    this.shapeCount = count;
    this.shapeTagCount = tagCount;
    return this.shape;
  }

  /** An integer timestamp filling body[start, end), scaled to nanoseconds; undefined for anything else. */
  private timestamp(start: number, end: number): bigint | undefined {
    const body = this.body;
    const length = end - start;
    if (length === this.timeLength && this.same(start, this.timeStart, length)) {
      this.timeStart = start;
      return this.time;
    }
    const digitsStart = body[start] === MINUS ? start + 1 : start;
    if (digitsStart === end || end - digitsStart > MAX_TIMESTAMP_DIGITS) return undefined;
    for (let pos = digitsStart; pos < end; pos++) {
      const digit = body[pos]! - ZERO;
      if (digit < 0 || digit > 9) return undefined;
    }
    const nanos = BigInt(body.toString('latin1', start, end)) * this.nanosPerUnit;
    if (nanos < MIN_TIME_NS || nanos > MAX_TIME_NS) return undefined;
    this.timeStart = start;
    this.timeLength = length;
    this.time = nanos;
    return nanos;
  }

  /** Where the key starting at `start` ends (at its `=`), or -1 if it is empty, escaped or has no `=`. */
  private keyEnd(start: number, end: number): number {
    const body = this.body;
    for (let pos = start; pos < end; pos++) {
      const c = body[pos]!;
      if (c === EQUALS) return pos === start ? -1 : pos;
      if (c === COMMA || c === SPACE || c === BACKSLASH) return -1;
    }
    return -1;
  }

  private same(a: number, b: number, length: number): boolean {
    const body = this.body;
    for (let i = 0; i < length; i++) if (body[a + i] !== body[b + i]) return false;
    return true;
  }
}

/** No key is `time`, and no key repeats among the tags, among the fields or between them. */
function validKeys(table: TableBatch, columns: Int32Array, count: number): boolean {
  const names = Array.from(columns.subarray(0, count), (id) => table.columns[id]!.name);
  if (names.includes(RESERVED_KEY)) return false;
  return new Set(names).size === count;
}
