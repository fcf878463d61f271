import duckdb, { type Vector } from '@duckdb/node-bindings';
import type { BatchColumn } from '../lineprotocol/batch-column.ts';

/** DuckDB's `string_t`: 16 bytes, the length then up to 12 bytes inline (or a prefix and a pointer). */
const STRING_T_BYTES = 16;
const INLINE_STRING_BYTES = 12;
const encoder = new TextEncoder();

/**
 * Which rows of a batch go into one data chunk: `count` rows from `offset`, or, when some rows
 * of the batch are refused, the rows listed in `rows[offset, offset + count)`.
 */
export interface RowSelection {
  rows: Int32Array | null;
  offset: number;
  count: number;
}

/** Scratch memory reused for every vector of a commit. */
export class VectorScratch {
  private readonly bytes: Uint8Array;
  readonly floats: Float64Array;
  readonly integers: BigInt64Array;
  readonly words: Uint32Array;
  readonly validity: Uint8Array;
  /** `string_t` bytes of the short strings seen in this commit, or null for long ones. */
  readonly inlineStrings = new Map<string, Uint32Array | null>();

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity * STRING_T_BYTES);
    this.floats = new Float64Array(this.bytes.buffer, 0, capacity);
    this.integers = new BigInt64Array(this.bytes.buffer, 0, capacity);
    this.words = new Uint32Array(this.bytes.buffer);
    this.validity = new Uint8Array(Math.ceil(capacity / 64) * 8);
  }

  get buffer(): ArrayBuffer {
    return this.bytes.buffer as ArrayBuffer;
  }

  byteView(count: number): Uint8Array {
    return this.bytes.subarray(0, count);
  }
}

/** Copies 8-byte values (times, doubles, 64-bit integers) of the selected rows into a vector. */
export function fillWords(
  vector: Vector,
  values: Float64Array | BigInt64Array,
  select: RowSelection,
  scratch: VectorScratch,
): void {
  if (select.rows === null) {
    duckdb.copy_data_to_vector(
      vector,
      0,
      values.buffer as ArrayBuffer,
      values.byteOffset + select.offset * 8,
      select.count * 8,
    );
    return;
  }
  const target = values instanceof Float64Array ? scratch.floats : scratch.integers;
  for (let i = 0; i < select.count; i++) target[i] = values[select.rows[select.offset + i]!]! as never;
  duckdb.copy_data_to_vector(vector, 0, scratch.buffer, 0, select.count * 8);
}

export function fillBytes(vector: Vector, values: Uint8Array, select: RowSelection, scratch: VectorScratch): void {
  if (select.rows === null) {
    duckdb.copy_data_to_vector(
      vector,
      0,
      values.buffer as ArrayBuffer,
      values.byteOffset + select.offset,
      select.count,
    );
    return;
  }
  const target = scratch.byteView(select.count);
  for (let i = 0; i < select.count; i++) target[i] = values[select.rows[select.offset + i]!]!;
  duckdb.copy_data_to_vector(vector, 0, scratch.buffer, 0, select.count);
}

/**
 * Writes strings as `string_t` entries: short ones (nearly every tag value) are built in JS memory
 * and copied in one call, long ones are handed to DuckDB one by one, which keeps their bytes.
 */
export function fillStrings(vector: Vector, column: BatchColumn, select: RowSelection, scratch: VectorScratch): void {
  const words = scratch.words;
  const strings = column.strings;
  const present = column.present;
  const long: number[] = [];
  for (let i = 0; i < select.count; i++) {
    const row = select.rows === null ? select.offset + i : select.rows[select.offset + i]!;
    const at = i * 4;
    const entry = present[row] === 1 ? inlineString(strings[row]!, scratch) : undefined;
    if (entry) {
      words[at] = entry[0]!;
      words[at + 1] = entry[1]!;
      words[at + 2] = entry[2]!;
      words[at + 3] = entry[3]!;
    } else {
      words.fill(0, at, at + 4);
      if (entry === null) long.push(i);
    }
  }
  duckdb.copy_data_to_vector(vector, 0, scratch.buffer, 0, select.count * STRING_T_BYTES);
  for (const i of long) {
    const row = select.rows === null ? select.offset + i : select.rows[select.offset + i]!;
    duckdb.vector_assign_string_element(vector, i, strings[row]!);
  }
}

function inlineString(value: string, scratch: VectorScratch): Uint32Array | null {
  let entry = scratch.inlineStrings.get(value);
  if (entry !== undefined) return entry;
  entry = null;
  if (value.length <= INLINE_STRING_BYTES) {
    const bytes = new Uint8Array(STRING_T_BYTES);
    const { read, written } = encoder.encodeInto(value, bytes.subarray(4));
    if (read === value.length && written <= INLINE_STRING_BYTES) {
      new DataView(bytes.buffer).setUint32(0, written, true);
      entry = new Uint32Array(bytes.buffer);
    }
  }
  scratch.inlineStrings.set(value, entry);
  return entry;
}

/** Marks the rows that did not write the column as NULL; `present` null means none did. */
export function fillValidity(
  vector: Vector,
  present: Uint8Array | null,
  select: RowSelection,
  scratch: VectorScratch,
): void {
  const mask = scratch.validity;
  const bytes = Math.ceil(select.count / 64) * 8;
  mask.fill(0, 0, bytes);
  if (present !== null) {
    for (let i = 0; i < select.count; i++) {
      const row = select.rows === null ? select.offset + i : select.rows[select.offset + i]!;
      if (present[row] === 1) mask[i >>> 3] = mask[i >>> 3]! | (1 << (i & 7));
    }
  }
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, 0, bytes);
}
