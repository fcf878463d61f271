import type { FlatTable } from '../influxql/flat-table.ts';
import type { MeasurementSchema, ResultColumn } from '../storage/storage.ts';
import type { ArrowColumn } from './arrow-batches.ts';

const FIELD = 'iox::column_type::field::';
const TAG = 'iox::column_type::tag';
const TIMESTAMP = 'iox::column_type::timestamp';

/** SQL result columns in Arrow: engine types mapped to InfluxDB's, tag columns marked from the schema. */
export function sqlColumns(columns: readonly ResultColumn[], schema: readonly MeasurementSchema[]): ArrowColumn[] {
  const tags = new Set(schema.flatMap((measurement) => measurement.tags));
  return columns.map((column): ArrowColumn => {
    const type = column.sqlType.toUpperCase();
    if (type.startsWith('TIMESTAMP')) return { name: column.name, kind: 'timestamp', ioxType: TIMESTAMP };
    if (type === 'DOUBLE' || type === 'FLOAT' || type === 'REAL' || type.startsWith('DECIMAL')) {
      return { name: column.name, kind: 'float', ioxType: `${FIELD}float` };
    }
    if (['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT'].includes(type)) {
      return { name: column.name, kind: 'integer', ioxType: `${FIELD}integer` };
    }
    if (['UBIGINT', 'UINTEGER', 'USMALLINT', 'UTINYINT'].includes(type)) {
      return { name: column.name, kind: 'uinteger', ioxType: `${FIELD}uinteger` };
    }
    if (type === 'BOOLEAN') return { name: column.name, kind: 'boolean', ioxType: `${FIELD}boolean` };
    if (type === 'VARCHAR' && tags.has(column.name)) return { name: column.name, kind: 'string', ioxType: TAG };
    return { name: column.name, kind: 'string', ioxType: `${FIELD}string` };
  });
}

/** An InfluxQL statement's flat columns in Arrow; `iox::measurement` carries no column type, as InfluxDB 3 sends it. */
export function flatColumns(table: FlatTable, timezone: string | undefined): ArrowColumn[] {
  return table.columns.map((column): ArrowColumn => {
    switch (column.type) {
      case 'time':
        return timezone === undefined
          ? { name: column.name, kind: 'timestamp', ioxType: TIMESTAMP }
          : { name: column.name, kind: 'timestamp', ioxType: TIMESTAMP, timezone };
      case 'tag':
        return { name: column.name, kind: 'string', ioxType: TAG };
      case 'float':
      case 'integer':
      case 'uinteger':
      case 'boolean':
        return { name: column.name, kind: column.type, ioxType: `${FIELD}${column.type}` };
      case 'string':
        return column.name.startsWith('iox::')
          ? { name: column.name, kind: 'string' }
          : { name: column.name, kind: 'string', ioxType: `${FIELD}string` };
      default:
        return { name: column.name, kind: 'string' };
    }
  });
}
