import { fail } from '../domain/errors.ts';
import type { MeasurementSchema, QueryStream, ResultColumn } from '../storage/storage.ts';
import { byteOrder } from '../support/byte-order.ts';
import type { SchemaStatement, SchemaView } from './schema-statements.ts';

/** InfluxDB 3 names its one catalog `public` and puts the user tables in schema `iox`. */
const CATALOG = 'public';
const USER_SCHEMA = 'iox';
const INFORMATION_SCHEMA = 'information_schema';
/** The views of information_schema fluxgate answers. */
const SERVED_VIEWS: readonly SchemaView[] = ['tables', 'columns'];

const TEXT = 'VARCHAR';
const COUNT = 'UBIGINT';

/** `information_schema.tables` as DataFusion defines it. */
const TABLES_COLUMNS: ResultColumn[] = ['table_catalog', 'table_schema', 'table_name', 'table_type'].map((name) => ({
  name,
  sqlType: TEXT,
}));

/** `information_schema.columns` as DataFusion defines it. */
const COLUMNS_COLUMNS: ResultColumn[] = [
  { name: 'table_catalog', sqlType: TEXT },
  { name: 'table_schema', sqlType: TEXT },
  { name: 'table_name', sqlType: TEXT },
  { name: 'column_name', sqlType: TEXT },
  { name: 'ordinal_position', sqlType: COUNT },
  { name: 'column_default', sqlType: TEXT },
  { name: 'is_nullable', sqlType: TEXT },
  { name: 'data_type', sqlType: TEXT },
  { name: 'character_maximum_length', sqlType: COUNT },
  { name: 'character_octet_length', sqlType: COUNT },
  { name: 'numeric_precision', sqlType: COUNT },
  { name: 'numeric_precision_radix', sqlType: COUNT },
  { name: 'numeric_scale', sqlType: COUNT },
  { name: 'datetime_precision', sqlType: COUNT },
  { name: 'interval_type', sqlType: TEXT },
];

/** What `SHOW COLUMNS` selects from information_schema.columns. */
const SHOW_COLUMNS = ['table_catalog', 'table_schema', 'table_name', 'column_name', 'data_type', 'is_nullable'];

/** The Arrow type InfluxDB 3 gives each kind of column, with DataFusion's precision for it. */
const ARROW_TYPES = {
  tag: { type: 'Dictionary(Int32, Utf8)', octets: null, precision: null },
  time: { type: 'Timestamp(Nanosecond, None)', octets: null, precision: null },
  float: { type: 'Float64', octets: null, precision: 24 },
  integer: { type: 'Int64', octets: null, precision: null },
  uinteger: { type: 'UInt64', octets: null, precision: null },
  string: { type: 'Utf8', octets: 2_147_483_647, precision: null },
  boolean: { type: 'Boolean', octets: null, precision: null },
} as const;

interface Table {
  columns: ResultColumn[];
  rows: unknown[][];
}

/** The answer to a recognised schema statement, built from the database's measurements. */
export function schemaStatementResult(statement: SchemaStatement, measurements: MeasurementSchema[]): Table {
  switch (statement.kind) {
    case 'show_tables':
      return tablesView(measurements);
    case 'show_columns': {
      if (!measurements.some((measurement) => measurement.name === statement.table)) {
        fail('QUERY_FAILED', `SHOW COLUMNS: table '${statement.table}' not found in this database`);
      }
      const conditions = [{ column: 'table_name', value: statement.table }];
      return selectFrom(columnsView(measurements), 'columns', SHOW_COLUMNS, conditions);
    }
    case 'select': {
      const view = statement.view === 'tables' ? tablesView(measurements) : columnsView(measurements);
      return selectFrom(view, statement.view, statement.projection, statement.conditions);
    }
  }
}

/** A result held whole (schema answers are small) as the stream the result formats read. */
export function tableStream(table: Table, batchRows = 2048): QueryStream {
  let at = 0;
  return {
    columns: table.columns,
    next: async () => {
      if (at >= table.rows.length) return null;
      const batch = table.rows.slice(at, at + batchRows);
      at += batchRows;
      return batch;
    },
    close: async () => {
      at = table.rows.length;
    },
  };
}

function tablesView(measurements: MeasurementSchema[]): Table {
  const rows: unknown[][] = measurements.map((measurement) => [CATALOG, USER_SCHEMA, measurement.name, 'BASE TABLE']);
  for (const view of SERVED_VIEWS) rows.push([CATALOG, INFORMATION_SCHEMA, view, 'VIEW']);
  return { columns: TABLES_COLUMNS, rows };
}

/** Every column of every user table, in name order within a table (as InfluxDB 3 orders a table's columns). */
function columnsView(measurements: MeasurementSchema[]): Table {
  const rows: unknown[][] = [];
  for (const measurement of measurements) {
    const columns: Array<{ name: string; kind: keyof typeof ARROW_TYPES }> = [
      ...measurement.tags.map((name) => ({ name, kind: 'tag' as const })),
      ...measurement.fields.map((field) => ({ name: field.name, kind: field.type })),
      { name: 'time', kind: 'time' },
    ];
    columns.sort((a, b) => byteOrder(a.name, b.name));
    columns.forEach((column, position) => {
      const arrow = ARROW_TYPES[column.kind];
      rows.push([
        CATALOG,
        USER_SCHEMA,
        measurement.name,
        column.name,
        position,
        null,
        column.kind === 'time' ? 'NO' : 'YES',
        arrow.type,
        null,
        arrow.octets,
        arrow.precision,
        arrow.precision === null ? null : 2,
        null,
        null,
        null,
      ]);
    });
  }
  return { columns: COLUMNS_COLUMNS, rows };
}

function selectFrom(
  table: Table,
  view: SchemaView,
  projection: string[] | undefined,
  conditions: Array<{ column: string; value: string }>,
): Table {
  const index = (column: string): number => {
    const at = table.columns.findIndex((candidate) => candidate.name === column);
    if (at < 0) {
      const names = table.columns.map((candidate) => candidate.name).join(', ');
      fail('QUERY_FAILED', `column '${column}' is not in information_schema.${view} (it has ${names})`);
    }
    return at;
  };
  const filters = conditions.map((condition) => ({ at: index(condition.column), value: condition.value }));
  const picked = projection === undefined ? table.columns.map((_, at) => at) : projection.map(index);
  const rows = table.rows
    .filter((row) => filters.every((filter) => row[filter.at] !== null && String(row[filter.at]) === filter.value))
    .map((row) => picked.map((at) => row[at]));
  return { columns: picked.map((at) => table.columns[at]!), rows };
}
