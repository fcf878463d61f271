import { byteOrder } from '../support/byte-order.ts';
import type { ColumnType, Series, StatementResult } from './result.ts';

export interface FlatColumn {
  name: string;
  type: ColumnType;
}

/** One statement's rows as InfluxDB 3 answers `query_influxql` and InfluxQL over Flight. */
export interface FlatTable {
  columns: FlatColumn[];
  /** Times are nanoseconds as bigint. */
  rows: unknown[][];
}

/** The SQL type a flat column travels as in query_influxql's formats. */
export const FLAT_SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  time: 'TIMESTAMP_NS',
  tag: 'VARCHAR',
  string: 'VARCHAR',
  float: 'DOUBLE',
  integer: 'BIGINT',
  uinteger: 'UBIGINT',
  boolean: 'BOOLEAN',
  unknown: 'VARCHAR',
};

export const MEASUREMENT_COLUMN = 'iox::measurement';
export const DATABASE_COLUMN = 'iox::database';

/**
 * InfluxDB 3's flat shape: a row per point with `iox::measurement` first, then `time`, then the
 * GROUP BY tags, then the statement's columns. SHOW DATABASES and SHOW RETENTION POLICIES name the
 * database in `iox::database` instead.
 */
export function flatten(result: StatementResult): FlatTable {
  if (result.shape === 'databases') {
    return {
      columns: [
        { name: DATABASE_COLUMN, type: 'string' },
        { name: 'deleted', type: 'boolean' },
      ],
      rows: (result.series[0]?.values ?? []).map((row) => [row[0], false]),
    };
  }
  if (result.shape === 'retention_policies') {
    return {
      columns: [
        { name: DATABASE_COLUMN, type: 'string' },
        { name: 'name', type: 'string' },
        { name: 'duration', type: 'string' },
      ],
      rows: (result.series[0]?.values ?? []).map((row) => [result.database ?? '', row[0], row[1]]),
    };
  }
  const first = result.series[0];
  if (first === undefined) return { columns: [{ name: MEASUREMENT_COLUMN, type: 'string' }], rows: [] };
  const tagKeys = [...new Set(result.series.flatMap((series) => series.tags.map(([key]) => key)))].sort(byteOrder);
  const layout = flatLayout(first, tagKeys);
  const rows: unknown[][] = [];
  for (const series of result.series) layout.append(series, series.values, rows);
  return { columns: layout.columns, rows };
}

/** How series become flat rows: the columns (from the first series and every series' tag keys) and the rows of some values. */
export interface FlatLayout {
  columns: FlatColumn[];
  /** Appends the flat rows of `values`, rows of `series`, to `out`. */
  append(series: Series, values: readonly unknown[][], out: unknown[][]): void;
}

export function flatLayout(first: Series, tagKeys: readonly string[]): FlatLayout {
  const hasTime = first.types[0] === 'time';
  const valueColumns = first.columns.map((name, i) => ({ name, type: first.types[i]! }));
  const timeColumns = hasTime ? valueColumns.slice(0, 1) : [];
  const fields = (hasTime ? valueColumns.slice(1) : valueColumns).filter((column) => !tagKeys.includes(column.name));
  const columns: FlatColumn[] = [
    { name: MEASUREMENT_COLUMN, type: 'string' },
    ...timeColumns,
    ...tagKeys.map((name): FlatColumn => ({ name, type: 'tag' })),
    ...fields,
  ];
  const fieldIndexes = fields.map((field) => first.columns.indexOf(field.name));
  return {
    columns,
    append: (series, values, out) => {
      const tags = tagKeys.map((key) => series.tags.find(([k]) => k === key)?.[1] ?? null);
      for (const row of values) {
        const flat: unknown[] = [series.name];
        if (hasTime) flat.push(row[0]);
        for (const tag of tags) flat.push(tag);
        for (const index of fieldIndexes) flat.push(row[index] ?? null);
        out.push(flat);
      }
    },
  };
}
