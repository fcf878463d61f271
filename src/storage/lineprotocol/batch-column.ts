import type { FieldType, FieldValue } from './types.ts';

export type BatchColumnKind = 'tag' | FieldType;

const TWO_POW_32 = 4_294_967_296;

/**
 * The values one column takes over the rows of a `TableBatch`, in the layout DuckDB's vectors
 * use: doubles and 64-bit integers in typed arrays (an unsigned integer keeps its bits in a
 * signed slot), booleans one byte each, tags and strings as JS strings. `present` marks the rows
 * that wrote the column; the others are NULL.
 */
export class BatchColumn {
  present: Uint8Array;
  presentCount = 0;
  floats: Float64Array = new Float64Array(0);
  integers: BigInt64Array = new BigInt64Array(0);
  /** The same memory as `integers`, for writing safe integers without making a BigInt. */
  private words: Int32Array = new Int32Array(0);
  booleans: Uint8Array = new Uint8Array(0);
  strings: string[] = [];

  constructor(
    readonly name: string,
    readonly kind: BatchColumnKind,
    capacity: number,
  ) {
    this.present = new Uint8Array(capacity);
    this.grow(capacity);
  }

  grow(capacity: number): void {
    const present = new Uint8Array(capacity);
    present.set(this.present.subarray(0, Math.min(this.present.length, capacity)));
    this.present = present;
    if (this.kind === 'float') this.floats = copyInto(new Float64Array(capacity), this.floats);
    else if (this.kind === 'integer' || this.kind === 'uinteger') {
      this.integers = copyInto(new BigInt64Array(capacity), this.integers);
      this.words = new Int32Array(this.integers.buffer);
    } else if (this.kind === 'boolean') this.booleans = copyInto(new Uint8Array(capacity), this.booleans);
  }

  /** Takes over the values of a column parsed elsewhere (see batch-transfer.ts), as long as its table's arrays. */
  adopt(
    present: Uint8Array,
    presentCount: number,
    values: { floats: Float64Array; integers: BigInt64Array; booleans: Uint8Array },
    strings: string[],
  ): void {
    this.present = present;
    this.presentCount = presentCount;
    this.floats = values.floats;
    this.integers = values.integers;
    this.words = new Int32Array(values.integers.buffer, values.integers.byteOffset, values.integers.length * 2);
    this.booleans = values.booleans;
    this.strings = strings;
  }

  /** Stores a float, or an integer with |value| < 2^53 (the parser's simple numbers). */
  setNumber(row: number, value: number): void {
    this.present[row] = 1;
    this.presentCount++;
    if (this.kind === 'float') {
      this.floats[row] = value;
      return;
    }
    const high = Math.floor(value / TWO_POW_32);
    this.words[2 * row] = value - high * TWO_POW_32;
    this.words[2 * row + 1] = high;
  }

  setBoolean(row: number, value: boolean): void {
    this.present[row] = 1;
    this.presentCount++;
    this.booleans[row] = value ? 1 : 0;
  }

  setString(row: number, value: string): void {
    this.present[row] = 1;
    this.presentCount++;
    this.strings[row] = value;
  }

  /** Stores a parsed value of this column's kind; integers outside 64 bits keep their low bits (checked elsewhere). */
  setValue(row: number, field: FieldValue): void {
    this.present[row] = 1;
    this.presentCount++;
    if (field.type === 'float') this.floats[row] = field.value;
    else if (field.type === 'integer' || field.type === 'uinteger') this.integers[row] = BigInt.asIntN(64, field.value);
    else if (field.type === 'boolean') this.booleans[row] = field.value ? 1 : 0;
    else this.strings[row] = field.value;
  }

  /** The value at a row that wrote this column, as the parser would have returned it. */
  valueAt(row: number): FieldValue {
    switch (this.kind) {
      case 'float':
        return { type: 'float', value: this.floats[row]! };
      case 'integer':
        return { type: 'integer', value: this.integers[row]! };
      case 'uinteger':
        return { type: 'uinteger', value: BigInt.asUintN(64, this.integers[row]!) };
      case 'boolean':
        return { type: 'boolean', value: this.booleans[row] === 1 };
      default:
        return { type: 'string', value: this.strings[row]! };
    }
  }
}

function copyInto<T extends Float64Array | BigInt64Array | Uint8Array>(target: T, source: T): T {
  target.set(source.subarray(0, Math.min(source.length, target.length)) as never);
  return target;
}
