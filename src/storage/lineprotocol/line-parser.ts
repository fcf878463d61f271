import { BACKSLASH, COMMA, EQUALS, QUOTE, SPACE } from './char-codes.ts';
import { copyPairs } from './copy-pairs.ts';
import { containsKey, keySetIfLarge } from './duplicate-keys.ts';
import { fault, quote } from './line-fault.ts';
import { HASH_PRIME, HASH_SEED, NameCache } from './name-cache.ts';
import { parseScalarValue } from './scalar-value.ts';
import { SIMPLE_FLOAT, SIMPLE_INTEGER, type SimpleNumber, scanSimpleNumber } from './simple-number.ts';
import { TimestampScanner } from './timestamp.ts';
import type { FieldValue, Point } from './types.ts';
import { unescapeName, unescapeString } from './unescape.ts';

const MAX_STRING_BYTES = 64 * 1024;
const MIN_CACHE_SLOTS = 16;
const MAX_CACHE_SLOTS = 1024;
const RESERVED_KEY = 'time';

const unescapeMeasurement = (src: string, start: number, end: number) => unescapeName(src, start, end, true);
const unescapeKey = (src: string, start: number, end: number) => unescapeName(src, start, end, false);

/** A power of two that grows with the body, so tiny bodies do not pay for a large cache. */
export function cacheSlots(bodyLength: number): number {
  let slots = MIN_CACHE_SLOTS;
  while (slots < MAX_CACHE_SLOTS && slots * 32 < bodyLength) slots *= 2;
  return slots;
}

/**
 * Parses the lines of one request body, scanning char codes in place. Names are matched against
 * the previous line's or looked up in per-body caches before any string is made, and unescaped
 * only when they contain a backslash. A bad line throws a `LineFault`.
 */
export class LineParser {
  private readonly src: string;
  private readonly measurements: NameCache;
  private readonly names: NameCache;
  private readonly timestamps: TimestampScanner;
  private pos = 0;
  private end = 0;
  // Pairs are gathered here and copied out at their exact size: a pushed-to array would
  // reserve 16 slots, and per-line bytes decide how hard the garbage collector works.
  private readonly tagScratch: Array<[string, string]> = [];
  private readonly fieldScratch: Array<[string, FieldValue]> = [];
  private readonly simpleNumber: SimpleNumber = { end: 0, kind: 0, value: 0 };
  // The names at each position of the previous line: most lines repeat them, and matching an
  // expected name costs one pass where scanning, hashing and looking it up costs two.
  private readonly expectedMeasurement: string[] = [];
  private readonly expectedTagKeys: string[] = [];
  private readonly expectedTagValues: string[] = [];
  private readonly expectedFieldKeys: string[] = [];

  constructor(src: string, nanosPerUnit: bigint) {
    this.src = src;
    this.timestamps = new TimestampScanner(nanosPerUnit);
    this.measurements = new NameCache(src, MIN_CACHE_SLOTS, unescapeMeasurement);
    this.names = new NameCache(src, cacheSlots(src.length), unescapeKey);
  }

  /** Parses src[start, end): a line without its `\r`, leading and trailing spaces or tabs; not blank, not a comment. */
  parse(start: number, end: number): Point {
    const src = this.src;
    this.pos = start;
    this.end = end;

    const measurement = this.name(false, this.measurements, this.expectedMeasurement, 0);
    if (measurement.length === 0) fault('measurement is empty');

    const tagCount = this.pos < end && src.charCodeAt(this.pos) === COMMA ? this.parseTags() : 0;
    if (this.pos >= end) fault('no fields (expected a space and then field=value after the measurement and tags)');
    this.skipSpaces();
    const fieldCount = this.parseFields(tagCount);

    let timestampNs: bigint | null = null;
    if (this.pos < end) {
      this.skipSpaces();
      timestampNs = this.timestamps.scan(src, this.pos, end);
      this.pos = this.timestamps.end;
      if (this.pos < end) {
        this.skipSpaces();
        fault(`unexpected text after the timestamp: ${quote(src.slice(this.pos, end))}`);
      }
    }
    const tags = copyPairs(this.tagScratch, tagCount);
    const fields = copyPairs(this.fieldScratch, fieldCount);
    return { measurement, tags, fields, timestampNs };
  }

  /**
   * Moves past a name that ends at an unescaped space, comma or (if `stopAtEquals`) '='.
   * Returns the name's hash for the NameCache, computed in the same pass.
   */
  private skipName(stopAtEquals: boolean): number {
    const src = this.src;
    const end = this.end;
    let pos = this.pos;
    let hash = HASH_SEED;
    while (pos < end) {
      const c = src.charCodeAt(pos);
      if (c === COMMA || c === SPACE || (c === EQUALS && stopAtEquals)) break;
      hash = Math.imul(hash ^ c, HASH_PRIME);
      if (c === BACKSLASH && pos + 1 < end) {
        hash = Math.imul(hash ^ src.charCodeAt(pos + 1), HASH_PRIME);
        pos += 2;
      } else {
        pos++;
      }
    }
    this.pos = pos;
    return hash;
  }

  private skipSpaces(): void {
    while (this.pos < this.end && this.src.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /**
   * Scans the name at pos (measurement, tag key, tag value or field key) and returns it unescaped,
   * trying `expected[index]` first.
   */
  private name(stopAtEquals: boolean, cache: NameCache, expected: string[], index: number): string {
    const guess = expected[index];
    if (guess !== undefined && this.matches(guess, stopAtEquals)) return guess;
    const start = this.pos;
    const hash = this.skipName(stopAtEquals);
    const length = this.pos - start;
    if (length === 0) return '';
    const name = cache.get(start, this.pos, hash);
    // Only names written without any backslash are expected, so a match can never skip over an escape.
    if (name.length === length && name.indexOf('\\') < 0) expected[index] = name;
    return name;
  }

  /** Consumes `expected` if the name at pos is exactly that text followed by a separator (or the end). */
  private matches(expected: string, stopAtEquals: boolean): boolean {
    const src = this.src;
    const pos = this.pos;
    const length = expected.length;
    const after = pos + length;
    if (after > this.end) return false;
    for (let i = 0; i < length; i++) {
      if (src.charCodeAt(pos + i) !== expected.charCodeAt(i)) return false;
    }
    if (after < this.end) {
      const c = src.charCodeAt(after);
      if (c !== COMMA && c !== SPACE && (c !== EQUALS || !stopAtEquals)) return false;
    }
    this.pos = after;
    return true;
  }

  /** Parses `,key=value` pairs into tagScratch; returns how many. */
  private parseTags(): number {
    const src = this.src;
    const tags = this.tagScratch;
    let count = 0;
    let seen: Set<string> | undefined;
    do {
      this.pos++;
      const key = this.name(true, this.names, this.expectedTagKeys, count);
      if (key.length === 0) fault(`empty tag key (tag ${count + 1})`);
      if (this.pos >= this.end || src.charCodeAt(this.pos) !== EQUALS) fault(`missing '=' after tag key ${quote(key)}`);
      this.pos++;
      const value = this.name(false, this.names, this.expectedTagValues, count);
      if (value.length === 0) fault(`empty tag value for tag ${quote(key)}`);
      if (key === RESERVED_KEY) fault(`tag key 'time' is reserved for the timestamp`);
      if (containsKey(tags, count, key, seen)) fault(`duplicate tag key ${quote(key)}`);
      tags[count++] = [key, value];
      if (seen !== undefined) seen.add(key);
      else seen = keySetIfLarge(tags, count);
    } while (this.pos < this.end && src.charCodeAt(this.pos) === COMMA);
    return count;
  }

  /** Parses `key=value` pairs separated by commas into fieldScratch; returns how many. */
  private parseFields(tagCount: number): number {
    const src = this.src;
    const tags = this.tagScratch;
    const fields = this.fieldScratch;
    const tagKeys = keySetIfLarge(tags, tagCount);
    let count = 0;
    let seen: Set<string> | undefined;
    for (;;) {
      const key = this.name(true, this.names, this.expectedFieldKeys, count);
      if (key.length === 0) fault(`empty field key (field ${count + 1})`);
      if (this.pos >= this.end || src.charCodeAt(this.pos) !== EQUALS) {
        fault(`missing field value for field ${quote(key)}`);
      }
      this.pos++;
      if (key === RESERVED_KEY) fault(`field key 'time' is reserved for the timestamp`);
      if (containsKey(fields, count, key, seen)) fault(`duplicate field key ${quote(key)}`);
      if (containsKey(tags, tagCount, key, tagKeys)) fault(`key ${quote(key)} is used as both a tag and a field`);
      fields[count++] = [key, this.fieldValue(key)];
      if (seen !== undefined) seen.add(key);
      else seen = keySetIfLarge(fields, count);
      // fieldValue leaves pos at the end, a space or a comma.
      if (this.pos >= this.end || src.charCodeAt(this.pos) === SPACE) return count;
      this.pos++;
    }
  }

  private fieldValue(key: string): FieldValue {
    const src = this.src;
    const end = this.end;
    const start = this.pos;
    if (start < end && src.charCodeAt(start) === QUOTE) return this.stringValue(key);
    const simple = this.simpleNumber;
    if (scanSimpleNumber(src, start, end, simple)) {
      this.pos = simple.end;
      if (simple.kind === SIMPLE_FLOAT) return { type: 'float', value: simple.value };
      if (simple.kind === SIMPLE_INTEGER) return { type: 'integer', value: BigInt(simple.value) };
      return { type: 'uinteger', value: BigInt(simple.value) };
    }
    let pos = start;
    while (pos < end) {
      const c = src.charCodeAt(pos);
      if (c === COMMA || c === SPACE) break;
      pos++;
    }
    if (pos === start) fault(`missing field value for field ${quote(key)}`);
    this.pos = pos;
    return parseScalarValue(src, start, pos, key);
  }

  private stringValue(key: string): FieldValue {
    const src = this.src;
    const end = this.end;
    const start = this.pos + 1;
    let pos = start;
    let escaped = false;
    for (;;) {
      if (pos >= end) fault(`unterminated string for field ${quote(key)}`);
      const c = src.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        pos += 2;
      } else {
        pos++;
      }
    }
    const value = escaped ? unescapeString(src, start, pos) : src.slice(start, pos);
    this.pos = pos + 1;
    if (this.pos < end) {
      const c = src.charCodeAt(this.pos);
      if (c !== COMMA && c !== SPACE) {
        fault(`unexpected ${quote(src.slice(this.pos, this.pos + 1))} after the string value of field ${quote(key)}`);
      }
    }
    // A UTF-16 unit is at most 3 UTF-8 bytes, so only long strings need counting.
    if (value.length > MAX_STRING_BYTES / 3 && Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES) {
      fault(`string value of field ${quote(key)} is longer than 64 KiB`);
    }
    return { type: 'string', value };
  }
}
