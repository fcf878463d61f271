import type { ColumnType, SeriesPart } from '../../influxql/result.ts';
import type { V1StatementChunk } from './influxdb1-client.ts';

/** Field and tag types by column name (from the upstream's schema), for columns JSON cannot type. */
export type ColumnTypes = ReadonlyMap<string, ColumnType>;

/**
 * One statement's chunks from InfluxDB 1.x (`epoch=ns`, chunked) as the series parts fluxgate's
 * InfluxQL faces write: times as bigint nanoseconds, tags sorted by key, `continues` while the
 * upstream marks the series partial. A statement error throws it, as a statement error.
 */
export async function* seriesPartsOf(
  chunks: AsyncIterable<V1StatementChunk>,
  types: ColumnTypes = new Map(),
): AsyncGenerator<SeriesPart> {
  for await (const chunk of chunks) {
    if (chunk.error !== undefined) throw new UpstreamStatementError(chunk.error);
    for (const series of chunk.series ?? []) {
      const timeAt = series.columns[0] === 'time' ? 0 : -1;
      const values = (series.values ?? []).map((row) =>
        timeAt < 0 ? row : row.map((value, i) => (i === timeAt ? toNs(value) : value)),
      );
      yield {
        name: series.name ?? '',
        tags: Object.entries(series.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        columns: series.columns,
        types: series.columns.map((column, i) => (i === timeAt ? 'time' : (types.get(column) ?? inferred(values, i)))),
        values,
        continues: series.partial === true,
      };
    }
  }
}

/** The upstream's error for one statement: fluxgate reports it as that statement's error. */
export class UpstreamStatementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamStatementError';
  }
}

function toNs(value: unknown): unknown {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value;
}

function inferred(values: unknown[][], column: number): ColumnType {
  for (const row of values) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    if (typeof value === 'string') return 'string';
    if (typeof value === 'boolean') return 'boolean';
    if (typeof value === 'bigint') return 'integer';
    if (typeof value === 'number') return 'float';
  }
  return 'unknown';
}
