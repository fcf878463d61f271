import { crc32 } from 'node:zlib';
import type { BatchColumnKind } from '../lineprotocol/batch-column.ts';
import { LineBatch } from '../lineprotocol/line-batch.ts';
import { TableBatch } from '../lineprotocol/table-batch.ts';

/**
 * The write-ahead log's record: the points of one group of acknowledged writes, already parsed and
 * checked, so replaying it stores exactly them and cannot fail on their content. Framed as
 * `u32 payload length, u32 CRC-32 of the payload, payload` (little endian), so a record torn by a
 * crash, or damaged, is told apart from a whole one.
 *
 * Payload: `u8 version, u64 seq, u32 entries`, then per entry (one request) `u32 tables`, then per
 * table its measurement, rows, line numbers, times, shapes and columns (see `writeTable`).
 */
export interface WalRecord {
  /** The record's position in the log: consecutive, from 1. */
  seq: bigint;
  /** One batch per acknowledged request, in the order they were checked; only stored points, times filled in. */
  entries: LineBatch[];
}

export const FRAME_HEADER_BYTES = 8;
const VERSION = 1;
const KINDS: readonly BatchColumnKind[] = ['tag', 'float', 'integer', 'uinteger', 'string', 'boolean'];
/** A record larger than this is not one we wrote: its length field is damaged. */
const MAX_PAYLOAD_BYTES = 1 << 30;

/** One table batch as it goes into a record: all its rows, or only `rows` (ascending). */
export interface TableSlice {
  table: TableBatch;
  rows: Int32Array | null;
}

/** Encodes a record as one framed buffer. */
export function encodeRecord(seq: bigint, entries: ReadonlyArray<readonly TableSlice[]>): Buffer {
  const out = new ByteWriter(4096);
  out.skip(FRAME_HEADER_BYTES);
  out.u8(VERSION);
  out.u64(seq);
  out.u32(entries.length);
  for (const slices of entries) {
    out.u32(slices.length);
    for (const slice of slices) writeTable(out, slice);
  }
  const frame = out.finish();
  const payload = frame.subarray(FRAME_HEADER_BYTES);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  return frame;
}

export type FrameRead =
  | { kind: 'record'; record: WalRecord; next: number }
  | { kind: 'end' }
  /** The bytes from `offset` on are no whole record: torn by a crash, or damaged. */
  | { kind: 'torn'; reason: string };

/** Reads the frame at `offset` of a log's bytes. */
export function readFrame(bytes: Buffer, offset: number): FrameRead {
  if (offset === bytes.length) return { kind: 'end' };
  if (bytes.length - offset < FRAME_HEADER_BYTES) {
    return { kind: 'torn', reason: `${bytes.length - offset} bytes where a record header needs ${FRAME_HEADER_BYTES}` };
  }
  const length = bytes.readUInt32LE(offset);
  const sum = bytes.readUInt32LE(offset + 4);
  const start = offset + FRAME_HEADER_BYTES;
  if (length === 0 || length > MAX_PAYLOAD_BYTES) return { kind: 'torn', reason: `a record length of ${length}` };
  if (bytes.length - start < length) {
    return { kind: 'torn', reason: `a record of ${length} bytes with ${bytes.length - start} present` };
  }
  const payload = bytes.subarray(start, start + length);
  if (crc32(payload) !== sum) return { kind: 'torn', reason: 'a record whose checksum does not match' };
  try {
    return { kind: 'record', record: decodePayload(payload), next: start + length };
  } catch (error) {
    // A checksum that matches over bytes we cannot read: a format we do not know.
    return { kind: 'torn', reason: `a record that cannot be decoded (${(error as Error).message})` };
  }
}

function decodePayload(payload: Buffer): WalRecord {
  const input = new ByteReader(payload);
  const version = input.u8();
  if (version !== VERSION) throw new Error(`version ${version}`);
  const seq = input.u64();
  const entries: LineBatch[] = [];
  for (let entry = input.u32(); entry > 0; entry--) {
    const batch = new LineBatch(1);
    for (let table = input.u32(); table > 0; table--) batch.tables.push(readTable(input));
    entries.push(batch);
  }
  if (!input.atEnd()) throw new Error('trailing bytes');
  return { seq, entries };
}

/**
 * A table: measurement, row count, line numbers, times (filled in), shapes, the shape of each row,
 * then each column: name, kind, presence per row and values per row (strings as a dictionary and
 * an index per row).
 */
function writeTable(out: ByteWriter, { table, rows }: TableSlice): void {
  const count = rows === null ? table.rowCount : rows.length;
  out.str(table.measurement);
  out.u32(count);
  out.array(table.lineNumbers, rows, count);
  out.array(table.times, rows, count);
  out.u32(table.shapes.length);
  for (const shape of table.shapes) {
    out.u32(shape.tagCount);
    out.u32(shape.columns.length);
    for (const id of shape.columns) out.u32(id);
  }
  out.array(table.shapeOfRow, rows, count);
  out.u32(table.columns.length);
  for (const column of table.columns) {
    out.str(column.name);
    out.u8(KINDS.indexOf(column.kind));
    out.array(column.present, rows, count);
    switch (column.kind) {
      case 'float':
        out.array(column.floats, rows, count);
        break;
      case 'integer':
      case 'uinteger':
        out.array(column.integers, rows, count);
        break;
      case 'boolean':
        out.array(column.booleans, rows, count);
        break;
      default: {
        const ids = new Map<string, number>();
        const indexes = new Uint32Array(count);
        const { present, strings } = column;
        // A run of rows with one value (a series written point after point) costs no lookup.
        let last: string | undefined;
        let lastId = 0;
        for (let i = 0; i < count; i++) {
          const row = rows === null ? i : rows[i]!;
          if (present[row] !== 1) continue;
          const value = strings[row]!;
          if (value !== last) {
            let id = ids.get(value);
            if (id === undefined) {
              id = ids.size;
              ids.set(value, id);
            }
            last = value;
            lastId = id;
          }
          indexes[i] = lastId;
        }
        out.u32(ids.size);
        for (const value of ids.keys()) out.str(value);
        out.array(indexes, null, count);
      }
    }
  }
}

function readTable(input: ByteReader): TableBatch {
  const measurement = input.str();
  const count = input.u32();
  const table = new TableBatch(measurement, count);
  table.lineNumbers = input.i32s(count);
  table.times = input.i64s(count);
  for (let shapes = input.u32(); shapes > 0; shapes--) {
    const tagCount = input.u32();
    const columns = Array.from({ length: input.u32() }, () => input.u32());
    table.shapeId(columns, columns.length, tagCount);
  }
  const shapeOfRow = input.i32s(count);
  for (let i = 0; i < count; i++) {
    const shape = shapeOfRow[i]!;
    if (shape < 0 || shape >= table.shapes.length)
      throw new Error(`row ${i} has shape ${shape} of ${table.shapes.length}`);
  }
  table.shapeOfRow = shapeOfRow;
  for (let columns = input.u32(); columns > 0; columns--) {
    const name = input.str();
    const kind = KINDS[input.u8()];
    if (kind === undefined) throw new Error(`column '${name}' has an unknown kind`);
    const column = table.columns[table.columnId(name, kind)]!;
    column.present = input.bytes(count);
    let present = 0;
    for (let i = 0; i < count; i++) present += column.present[i]!;
    column.presentCount = present;
    if (kind === 'float') column.floats = input.f64s(count);
    else if (kind === 'integer' || kind === 'uinteger') column.integers = input.i64s(count);
    else if (kind === 'boolean') column.booleans = input.bytes(count);
    else {
      const dictionary = Array.from({ length: input.u32() }, () => input.str());
      const indexes = input.i32s(count);
      const strings = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        if (column.present[i] !== 1) continue;
        const value = dictionary[indexes[i]!];
        if (value === undefined) throw new Error(`column '${name}' row ${i} names string ${indexes[i]}`);
        strings[i] = value;
      }
      column.strings = strings;
    }
  }
  for (const shape of table.shapes) {
    for (const id of shape.columns) if (id >= table.columns.length) throw new Error(`a shape names column ${id}`);
  }
  table.rowCount = count;
  return table;
}

class ByteWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  skip(bytes: number): void {
    this.ensure(bytes);
    this.offset += bytes;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buffer[this.offset++] = value;
  }

  u32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
  }

  /** The first `count` elements of `values`, or those at `rows`, as their little-endian bytes. */
  array(
    values: Int32Array | Uint32Array | BigInt64Array | Float64Array | Uint8Array,
    rows: Int32Array | null,
    count: number,
  ): void {
    const size = values.BYTES_PER_ELEMENT;
    this.ensure(count * size);
    if (rows === null) {
      this.buffer.set(new Uint8Array(values.buffer, values.byteOffset, count * size), this.offset);
    } else {
      // Gathered into an array of the same type, then copied as bytes: one move per value, not per byte.
      const gathered = new (values.constructor as new (length: number) => typeof values)(count);
      for (let i = 0; i < count; i++) gathered[i] = values[rows[i]!]!;
      this.buffer.set(new Uint8Array(gathered.buffer, 0, count * size), this.offset);
    }
    this.offset += count * size;
  }

  u64(value: bigint): void {
    this.ensure(8);
    this.buffer.writeBigUInt64LE(value, this.offset);
    this.offset += 8;
  }

  str(value: string): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    this.u32(bytes);
    this.ensure(bytes);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  atEnd(): boolean {
    return this.offset === this.buffer.length;
  }

  u8(): number {
    return this.buffer[this.take(1)]!;
  }

  u32(): number {
    return this.buffer.readUInt32LE(this.take(4));
  }

  u64(): bigint {
    return this.buffer.readBigUInt64LE(this.take(8));
  }

  str(): string {
    const length = this.u32();
    const start = this.take(length);
    return this.buffer.toString('utf8', start, start + length);
  }

  bytes(count: number): Uint8Array {
    const start = this.take(count);
    return Uint8Array.prototype.slice.call(this.buffer, start, start + count);
  }

  i32s(count: number): Int32Array {
    const target = new Int32Array(count);
    this.copyInto(target, count * 4);
    return target;
  }

  i64s(count: number): BigInt64Array {
    const target = new BigInt64Array(count);
    this.copyInto(target, count * 8);
    return target;
  }

  f64s(count: number): Float64Array {
    const target = new Float64Array(count);
    this.copyInto(target, count * 8);
    return target;
  }

  /** Copies little-endian words as they are (every platform Node runs fluxgate on is little endian). */
  private copyInto(target: Int32Array | BigInt64Array | Float64Array, bytes: number): void {
    const start = this.take(bytes);
    new Uint8Array(target.buffer).set(this.buffer.subarray(start, start + bytes));
  }

  private take(bytes: number): number {
    const start = this.offset;
    if (start + bytes > this.buffer.length) throw new Error('the record ends early');
    this.offset += bytes;
    return start;
  }
}
