import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  Schema,
  TimestampNanosecond,
  Uint64,
  Utf8,
} from 'apache-arrow';
import { parseTimeString } from '../influxql/time-literals.ts';
import { RecentCache } from '../support/recent-cache.ts';
import type { FlightData } from './flight-messages.ts';
import { encapsulated, recordBatchData, schemaHeader } from './ipc-messages.ts';

/** How a result column travels in Arrow, with InfluxDB 3's `iox::column::type` metadata. */
export interface ArrowColumn {
  name: string;
  kind: 'timestamp' | 'float' | 'integer' | 'uinteger' | 'string' | 'boolean';
  /** `iox::column_type::tag`, `…::field::float`, `…::timestamp`; absent for computed columns. */
  ioxType?: string;
  timezone?: string;
}

/** Rows per record batch: about 1.5 MB for a typical row, well under grpc-js's 4 MiB message limit. */
export const MAX_BATCH_ROWS = 65_536;
/** A batch is cut early when its strings alone reach this many bytes. */
const MAX_BATCH_STRING_BYTES = 2 * 1024 * 1024;

function arrowType(column: ArrowColumn): DataType {
  switch (column.kind) {
    case 'timestamp':
      return new TimestampNanosecond(column.timezone ?? null);
    case 'float':
      return new Float64();
    case 'integer':
      return new Int64();
    case 'uinteger':
      return new Uint64();
    case 'boolean':
      return new Bool();
    case 'string':
      return new Utf8();
  }
}

export function arrowSchema(columns: readonly ArrowColumn[]): Schema {
  return new Schema(
    columns.map((column) => {
      const metadata = new Map<string, string>();
      if (column.ioxType !== undefined) metadata.set('iox::column::type', column.ioxType);
      return new Field(column.name, arrowType(column), true, metadata);
    }),
  );
}

/**
 * Record batches of the rows, each as the FlightData that carries it; the schema message comes
 * first. Rows hold JSON-safe values: times as bigint nanoseconds or RFC3339 text, integers beyond
 * 2^53 as decimal text.
 */
export function* flightDataOf(columns: readonly ArrowColumn[], rows: readonly unknown[][]): Generator<FlightData> {
  const { schema, message } = resultSchema(columns);
  yield message;
  yield* flightBatchesOf(schema, columns, rows);
}

/** A result's Arrow schema and the schema message sent before its batches. */
export interface ResultSchema {
  schema: Schema;
  message: FlightData;
}

/** Kept by the columns they describe: a query repeated (a dashboard) sends the same schema each time. */
const schemas = new RecentCache<string, ResultSchema>(64);

export function resultSchema(columns: readonly ArrowColumn[]): ResultSchema {
  return schemas.getOrSet(JSON.stringify(columns), () => {
    const schema = arrowSchema(columns);
    return { schema, message: { dataHeader: schemaHeader(schema), dataBody: new Uint8Array(0) } };
  });
}

/** Record batches of some rows (one batch of a streamed result), without the schema message. */
export function* flightBatchesOf(
  schema: Schema,
  columns: readonly ArrowColumn[],
  rows: readonly unknown[][],
): Generator<FlightData> {
  let start = 0;
  while (start < rows.length) {
    const end = batchEnd(columns, rows, start);
    yield batchFlightData(schema, columns, rows, start, end);
    start = end;
  }
}

/** The schema as the encapsulated IPC message FlightInfo carries (continuation, length, flatbuffer). */
export function encapsulatedSchema(columns: readonly ArrowColumn[]): Uint8Array {
  return encapsulated(schemaHeader(arrowSchema(columns)));
}

function batchEnd(columns: readonly ArrowColumn[], rows: readonly unknown[][], start: number): number {
  const limit = Math.min(rows.length, start + MAX_BATCH_ROWS);
  const stringColumns = columns.flatMap((column, i) => (column.kind === 'string' ? [i] : []));
  if (stringColumns.length === 0) return limit;
  let bytes = 0;
  for (let r = start; r < limit; r++) {
    for (const c of stringColumns) {
      const value = rows[r]![c];
      if (typeof value === 'string') bytes += value.length * 3;
    }
    if (bytes > MAX_BATCH_STRING_BYTES && r > start) return r;
  }
  return limit;
}

function batchFlightData(
  schema: Schema,
  columns: readonly ArrowColumn[],
  rows: readonly unknown[][],
  start: number,
  end: number,
): FlightData {
  const children = columns.map((column, c) => columnData(column, schema.fields[c]!.type, rows, c, start, end));
  return recordBatchData(end - start, children);
}

type Nulls = { bitmap: Uint8Array; count: number };

function nulls(length: number): Nulls {
  return { bitmap: new Uint8Array(Math.ceil(length / 8)).fill(0xff), count: 0 };
}

function setNull(n: Nulls, i: number): void {
  n.bitmap[i >> 3]! &= ~(1 << (i & 7));
  n.count++;
}

function columnData(
  column: ArrowColumn,
  type: DataType,
  rows: readonly unknown[][],
  c: number,
  start: number,
  end: number,
) {
  const length = end - start;
  const n = nulls(length);
  switch (column.kind) {
    case 'float': {
      const data = new Float64Array(length);
      for (let i = 0; i < length; i++) {
        const value = rows[start + i]![c];
        if (typeof value === 'number') data[i] = value;
        else setNull(n, i);
      }
      return makeData({ type: type as Float64, length, nullCount: n.count, nullBitmap: n.bitmap, data });
    }
    case 'timestamp':
    case 'integer':
    case 'uinteger': {
      const data = column.kind === 'uinteger' ? new BigUint64Array(length) : new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const value = integerOf(rows[start + i]![c], column.kind === 'timestamp');
        if (value === undefined) setNull(n, i);
        else data[i] = value;
      }
      return makeData({
        type: type as Int64,
        length,
        nullCount: n.count,
        nullBitmap: n.bitmap,
        data: data as BigInt64Array,
      });
    }
    case 'boolean': {
      const data = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) {
        const value = rows[start + i]![c];
        if (typeof value !== 'boolean') setNull(n, i);
        else if (value) data[i >> 3]! |= 1 << (i & 7);
      }
      return makeData({ type: type as Bool, length, nullCount: n.count, nullBitmap: n.bitmap, data });
    }
    case 'string': {
      const encoded: Array<Buffer | undefined> = new Array(length);
      let total = 0;
      for (let i = 0; i < length; i++) {
        const value = rows[start + i]![c];
        if (value === null || value === undefined) {
          setNull(n, i);
          continue;
        }
        const bytes = Buffer.from(typeof value === 'object' ? JSON.stringify(value) : String(value), 'utf8');
        encoded[i] = bytes;
        total += bytes.length;
      }
      const valueOffsets = new Int32Array(length + 1);
      const data = new Uint8Array(total);
      let offset = 0;
      for (let i = 0; i < length; i++) {
        const bytes = encoded[i];
        if (bytes !== undefined) {
          data.set(bytes, offset);
          offset += bytes.length;
        }
        valueOffsets[i + 1] = offset;
      }
      return makeData({ type: type as Utf8, length, nullCount: n.count, nullBitmap: n.bitmap, valueOffsets, data });
    }
  }
}

function integerOf(value: unknown, time: boolean): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === 'string') {
    if (time) return parseTimeString(value);
    return /^-?\d+$/.test(value) ? BigInt(value) : undefined;
  }
  return undefined;
}
