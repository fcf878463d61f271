import type { BatchColumnKind } from './batch-column.ts';
import { ByteNameCache } from './byte-name-cache.ts';
import {
  BACKSLASH,
  COMMA,
  DOT,
  EQUALS,
  LOWER_E,
  LOWER_I,
  LOWER_U,
  MINUS,
  NINE,
  PLUS,
  QUOTE,
  SPACE,
  UPPER_E,
  ZERO,
} from './char-codes.ts';
import { MAX_TIME_NS, MIN_TIME_NS } from './decimal-integer.ts';
import { EXPONENT_CAP, exactDecimal, TWO_POW_53 } from './float-value.ts';
import type { LineBatch } from './line-batch.ts';
import { cacheSlots } from './line-parser.ts';
import { HASH_PRIME, HASH_SEED } from './name-cache.ts';
import { SIMPLE_FLOAT as FLOAT, SIMPLE_INTEGER as INTEGER, SIMPLE_UINTEGER as UINTEGER } from './simple-number.ts';
import type { TableBatch } from './table-batch.ts';

/** Tags plus fields beyond this go to the general parser. */
const MAX_PAIRS = 128;
/** int64 has 19 digits; longer timestamps are out of range, and the general parser says so. */
const MAX_TIMESTAMP_DIGITS = 19;
const STRING = 3;
const BOOLEAN = 4;
/** By the kind numbers above and in simple-number.ts. */
const FIELD_KINDS: readonly BatchColumnKind[] = ['float', 'integer', 'uinteger', 'string', 'boolean'];
/** The general parser's limit, in bytes; a longer string is its refusal to word. */
const MAX_STRING_BYTES = 64 * 1024;
const BOOLEANS: ReadonlyArray<readonly [string, number]> = [
  ['t', 1],
  ['T', 1],
  ['true', 1],
  ['True', 1],
  ['TRUE', 1],
  ['f', 0],
  ['F', 0],
  ['false', 0],
  ['False', 0],
  ['FALSE', 0],
];
const RESERVED_KEY = 'time';
// What `timestamp` read: nothing (the line has no time), a time in timeLow/timeHigh or in `time`, or a bad one.
const NO_TIME = 0;
const TIME_WORDS = 1;
const TIME_BIGINT = 2;
const BAD_TIME = -1;
const TWO_POW_16 = 65_536;
const TWO_POW_32 = 4_294_967_296;
/** MAX_TIME_NS as high × 10^9 + low. */
const MAX_TIME_HIGH = Number(MAX_TIME_NS / 1_000_000_000n);
const MAX_TIME_LOW = Number(MAX_TIME_NS % 1_000_000_000n);

/**
 * Parses the common lines of a body straight from its bytes into a `LineBatch`: names without
 * escapes; floats (`-?digits[.digits][e±digits]`, correctly rounded as `Number` would), integers
 * below 2^53 (`i`, `u`), strings without escapes and booleans; an integer timestamp. Anything
 * else (escapes, larger integers, any mistake) makes `parse` return false without storing
 * anything, and the caller hands the line to the general parser, which owns the error messages.
 * Names are matched against the previous line's before any string is made, and timestamps
 * repeated from the previous line are not parsed again.
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
  private readonly kinds = new Uint8Array(MAX_PAIRS);
  /** Where the field value just read ended. */
  private valueEnd = 0;
  // The shape of the previous line, reused while lines write the same columns.
  private readonly shapeColumns = new Int32Array(MAX_PAIRS);
  private shapeCount = -1;
  private shapeTagCount = 0;
  private shape = -1;
  private timeStart = 0;
  private timeLength = -1;
  private time = 0n;
  private timeLow = 0;
  private timeHigh = 0;
  private timeKind = NO_TIME;

  constructor(
    private readonly body: Buffer,
    private readonly batch: LineBatch,
    private readonly nanosPerUnit: bigint,
  ) {
    this.tagValues = new ByteNameCache(body, cacheSlots(body.length));
  }

  /** Parses body[start, end) (trimmed, not blank, not a comment) into the batch; false if it is not a common line. */
  parse(start: number, end: number, lineNumber: number, beforeStore?: () => void): boolean {
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
      const kind = this.fieldValue(pos, end, count);
      if (kind < 0) return false;
      pos = this.valueEnd;
      this.kinds[count] = kind;
      this.columns[count] = this.fieldColumn(table, count - tagCount, keyStart, keyEnd, kind);
      count++;
      if (pos >= end || body[pos] === SPACE) break;
      pos++;
    }

    let time = NO_TIME;
    if (pos < end) {
      while (body[pos] === SPACE) pos++;
      time = this.timestamp(pos, end);
      if (time === BAD_TIME) return false;
    }
    const shape = this.shapeOf(table, count, tagCount);
    if (shape < 0) return false;
    // Rows must stay in line order (a later point at the same series and time wins): earlier lines
    // the caller holds for the general parser are stored first.
    beforeStore?.();

    const row =
      time === TIME_WORDS
        ? table.addRowWithTimeWords(lineNumber, shape, this.timeLow, this.timeHigh)
        : table.addRow(lineNumber, shape, time === NO_TIME ? null : this.time);
    const columns = table.columns;
    for (let i = 0; i < tagCount; i++) columns[this.columns[i]!]!.setString(row, this.strings[i]!);
    for (let i = tagCount; i < count; i++) {
      const column = columns[this.columns[i]!]!;
      const kind = this.kinds[i]!;
      if (kind === STRING) column.setString(row, this.strings[i]!);
      else if (kind === BOOLEAN) column.setBoolean(row, this.numbers[i] === 1);
      else column.setNumber(row, this.numbers[i]!);
    }
    return true;
  }

  /**
   * Reads the field value starting at `start` into numbers[index] or strings[index] and sets
   * `valueEnd` to the comma, space or end after it. Returns its kind, or -1 when the general parser
   * must read the line: the value is malformed or out of range (it owns the messages), holds an
   * escape, or is an integer of 2^53 or more (a double cannot carry it exactly).
   */
  private fieldValue(start: number, end: number, index: number): number {
    const body = this.body;
    let pos = start;
    if (pos >= end) return -1;
    let c = body[pos]!;
    if (c === QUOTE) return this.stringValue(start + 1, end, index);
    if (c !== MINUS && c !== DOT && (c < ZERO || c > NINE)) return this.booleanValue(start, end, index);
    const negative = c === MINUS;
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
    if (digits === 0) return -1;
    let kind = FLOAT;
    let exponent = 0;
    if (pos < end) {
      if (c === LOWER_I || c === LOWER_U) {
        if (dot || (c === LOWER_U && negative) || !(mantissa < TWO_POW_53)) return -1;
        kind = c === LOWER_I ? INTEGER : UINTEGER;
        c = ++pos < end ? body[pos]! : SPACE;
      } else if (c === LOWER_E || c === UPPER_E) {
        c = ++pos < end ? body[pos]! : SPACE;
        const exponentNegative = c === MINUS;
        if (exponentNegative || c === PLUS) pos++;
        const exponentStart = pos;
        for (; pos < end; pos++) {
          c = body[pos]!;
          const digit = c - ZERO;
          if (digit < 0 || digit > 9) break;
          if (exponent < EXPONENT_CAP) exponent = exponent * 10 + digit;
        }
        if (pos === exponentStart) return -1;
        if (exponentNegative) exponent = -exponent;
      }
      if (pos < end && c !== COMMA && c !== SPACE) return -1;
    }
    this.valueEnd = pos;
    if (kind !== FLOAT) {
      this.numbers[index] = negative ? -mantissa : mantissa;
      return kind;
    }
    let value = exactDecimal(mantissa, exponent - fractionDigits);
    if (!Number.isNaN(value)) {
      this.numbers[index] = negative ? -value : value;
      return FLOAT;
    }
    // Long mantissas (17 significant digits) and far exponents: the text is ASCII by now, and
    // Number is correctly rounded. Infinity is a refusal the general parser words.
    value = Number(body.toString('latin1', start, pos));
    if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) return -1;
    this.numbers[index] = value;
    return FLOAT;
  }

  /** A string without escapes (they and anything odd go to the general parser), its quotes excluded. */
  private stringValue(start: number, end: number, index: number): number {
    const body = this.body;
    let pos = start;
    let hash = HASH_SEED;
    for (;;) {
      if (pos >= end) return -1;
      const c = body[pos]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) return -1;
      hash = Math.imul(hash ^ c, HASH_PRIME);
      pos++;
    }
    if (pos - start > MAX_STRING_BYTES) return -1;
    const after = pos + 1;
    if (after < end && body[after] !== COMMA && body[after] !== SPACE) return -1;
    this.strings[index] = this.tagValues.get(start, pos, hash);
    this.valueEnd = after;
    return STRING;
  }

  /** `t`, `T`, `true`, `True`, `TRUE` and the same for false, followed by a comma, space or the end. */
  private booleanValue(start: number, end: number, index: number): number {
    const body = this.body;
    let pos = start;
    while (pos < end && body[pos] !== COMMA && body[pos] !== SPACE) pos++;
    const value = booleanOf(body, start, pos - start);
    if (value < 0) return -1;
    this.numbers[index] = value;
    this.valueEnd = pos;
    return BOOLEAN;
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
    const column = table.columnId(this.body.toString('utf8', start, end), FIELD_KINDS[kind]!);
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

  /**
   * Reads the integer timestamp filling body[start, end), scaled to nanoseconds: into timeLow and
   * timeHigh (the int64's 32-bit halves) when it is a non-negative nanosecond count, as nearly all
   * are, else into `time`. BAD_TIME for anything else (the general parser words the refusal).
   */
  private timestamp(start: number, end: number): number {
    const body = this.body;
    const length = end - start;
    if (length === this.timeLength && this.same(start, this.timeStart, length)) {
      this.timeStart = start;
      return this.timeKind;
    }
    const digitsStart = body[start] === MINUS ? start + 1 : start;
    const digits = end - digitsStart;
    if (digits === 0 || digits > MAX_TIMESTAMP_DIGITS) return BAD_TIME;
    // The digits as high × 10^9 + low, both exact doubles.
    let high = 0;
    let low = 0;
    const lowStart = end - 9;
    for (let pos = digitsStart; pos < end; pos++) {
      const digit = body[pos]! - ZERO;
      if (digit < 0 || digit > 9) return BAD_TIME;
      if (pos < lowStart) high = high * 10 + digit;
      else low = low * 10 + digit;
    }
    let kind = TIME_WORDS;
    if (digitsStart === start && this.nanosPerUnit === 1n) {
      if (high > MAX_TIME_HIGH || (high === MAX_TIME_HIGH && low > MAX_TIME_LOW)) return BAD_TIME;
      this.setTimeWords(high, low);
    } else {
      const nanos = BigInt(body.toString('latin1', start, end)) * this.nanosPerUnit;
      if (nanos < MIN_TIME_NS || nanos > MAX_TIME_NS) return BAD_TIME;
      this.time = nanos;
      kind = TIME_BIGINT;
    }
    this.timeStart = start;
    this.timeLength = length;
    this.timeKind = kind;
    return kind;
  }

  /**
   * Splits high × 10^9 + low (below 2^63) into 32-bit halves with exact double arithmetic: every
   * product and sum below stays under 2^53.
   */
  private setTimeWords(high: number, low: number): void {
    const highTop = Math.floor(high / TWO_POW_16);
    const a = highTop * 1e9; // < 2^48
    const b = (high - highTop * TWO_POW_16) * 1e9 + low; // < 2^47
    const aTop = Math.floor(a / TWO_POW_16);
    const c = (a - aTop * TWO_POW_16) * TWO_POW_16 + b; // the value is aTop × 2^32 + c
    const carry = Math.floor(c / TWO_POW_32);
    this.timeLow = c - carry * TWO_POW_32;
    this.timeHigh = aTop + carry;
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

/** 1 or 0 for the boolean spelled by body[start, start + length), -1 for any other text. */
function booleanOf(body: Buffer, start: number, length: number): number {
  for (const [text, value] of BOOLEANS) {
    if (text.length !== length) continue;
    let i = 0;
    while (i < length && body[start + i] === text.charCodeAt(i)) i++;
    if (i === length) return value;
  }
  return -1;
}

/** No key is `time`, and no key repeats among the tags, among the fields or between them. */
function validKeys(table: TableBatch, columns: Int32Array, count: number): boolean {
  const names = Array.from(columns.subarray(0, count), (id) => table.columns[id]!.name);
  if (names.includes(RESERVED_KEY)) return false;
  return new Set(names).size === count;
}
