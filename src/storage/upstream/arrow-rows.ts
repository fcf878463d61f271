import { type DataType, type Field, type RecordBatch, type Schema, TimeUnit, Type, type Vector } from 'apache-arrow';
import { formatTimestampNs } from '../duckdb/result-values.ts';
import type { ResultColumn } from '../storage.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UNIT_NS: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** An Arrow column as the port's result column: the SQL type name the embedded engine would give it. */
export function resultColumns(schema: Schema): ResultColumn[] {
  return schema.fields.map((field: Field) => ({ name: field.name, sqlType: sqlTypeOf(field.type) }));
}

function sqlTypeOf(type: DataType): string {
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      const names = isSigned
        ? { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }
        : { 8: 'UTINYINT', 16: 'USMALLINT', 32: 'UINTEGER', 64: 'UBIGINT' };
      return names[bitWidth as 8 | 16 | 32 | 64] ?? 'BIGINT';
    }
    case Type.Float:
      return 'DOUBLE';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'VARCHAR';
    case Type.Bool:
      return 'BOOLEAN';
    case Type.Timestamp:
      return (type as unknown as { timezone: string | null }).timezone ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP_NS';
    case Type.Dictionary:
      // InfluxDB 3 sends tags as Dictionary(Int32, Utf8).
      return sqlTypeOf((type as unknown as { dictionary: DataType }).dictionary);
    case Type.Null:
      return 'NULL';
    default:
      return String(type).toUpperCase();
  }
}

/** A value the port can carry: integers beyond 2^53 as decimal text, times as RFC3339 nanoseconds. */
function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object')
    return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return value;
}

/** One column's values: timestamps from their raw int64 (Arrow's getter rounds them to milliseconds). */
function columnValues(vector: Vector, type: DataType, length: number): unknown[] {
  const values = new Array<unknown>(length);
  if (type.typeId === Type.Timestamp) {
    const scale = UNIT_NS[(type as unknown as { unit: TimeUnit }).unit];
    let at = 0;
    for (const data of vector.data) {
      const raw = data.values as BigInt64Array;
      for (let i = 0; i < data.length; i++, at++) {
        values[at] = data.getValid(i) ? formatTimestampNs(raw[data.offset + i]! * scale) : null;
      }
    }
    return values;
  }
  for (let i = 0; i < length; i++) values[i] = jsonSafe(vector.get(i));
  return values;
}

/** A record batch as rows of JSON-safe values, cut into slices of at most `sliceRows`. */
export function* rowsOf(batch: RecordBatch, sliceRows: number): Generator<unknown[][]> {
  const length = batch.numRows;
  if (length === 0) return;
  const columns = batch.schema.fields.map((field, c) =>
    columnValues(batch.getChildAt(c) as Vector, field.type, length),
  );
  for (let start = 0; start < length; start += sliceRows) {
    const end = Math.min(length, start + sliceRows);
    const rows: unknown[][] = new Array(end - start);
    for (let r = start; r < end; r++) {
      const row = new Array<unknown>(columns.length);
      for (let c = 0; c < columns.length; c++) row[c] = columns[c]![r];
      rows[r - start] = row;
    }
    yield rows;
  }
}
