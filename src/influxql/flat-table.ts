import { byteOrder } from '../support/byte-order.ts';
import type { ColumnType, StatementResult } from './result.ts';

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
  const rows: unknown[][] = [];
  for (const series of result.series) {
    const tags = tagKeys.map((key) => series.tags.find(([k]) => k === key)?.[1] ?? null);
    for (const values of series.values) {
      const row: unknown[] = [series.name];
      if (hasTime) row.push(values[0]);
      row.push(...tags);
      for (const index of fieldIndexes) row.push(values[index] ?? null);
      rows.push(row);
    }
  }
  return { columns, rows };
}
