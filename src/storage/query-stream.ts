import { FluxgateError } from '../domain/errors.ts';
import type { CollectLimits, QueryResult, QueryStream } from './storage.ts';

/** Roughly the bytes a JSON-safe value takes as JSON text; cheap, for caps rather than exact sizes. */
export function approximateBytes(value: unknown): number {
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    default:
      return JSON.stringify(value)?.length ?? 4;
  }
}

export function tooLarge(limits: CollectLimits, what: string): FluxgateError {
  const name = limits.limitName ?? '--query-max-result';
  return new FluxgateError('QUERY_RESULT_TOO_LARGE', `the result has more than ${what}, the limit ${name} sets`, {
    field: name,
  });
}

/** Reads a stream to its end (and closes it); past `limits` it stops and throws QUERY_RESULT_TOO_LARGE. */
export async function collect(stream: QueryStream, limits: CollectLimits = {}): Promise<QueryResult> {
  const maxRows = limits.maxRows ?? Number.POSITIVE_INFINITY;
  const maxBytes = limits.maxBytes ?? Number.POSITIVE_INFINITY;
  const rows: unknown[][] = [];
  let bytes = 0;
  try {
    for (let batch = await stream.next(); batch !== null; batch = await stream.next()) {
      if (rows.length + batch.length > maxRows) throw tooLarge(limits, `${maxRows} rows`);
      if (Number.isFinite(maxBytes)) {
        for (const row of batch) for (const value of row) bytes += approximateBytes(value) + 1;
        if (bytes > maxBytes) throw tooLarge(limits, `${maxBytes} bytes`);
      }
      for (const row of batch) rows.push(row);
    }
    return { columns: stream.columns, rows };
  } finally {
    await stream.close();
  }
}

/** A whole result as a stream of one batch, for results built in memory (InfluxQL's series). */
export function streamOf(result: QueryResult, batchRows = 2048): QueryStream {
  let offset = 0;
  return {
    columns: result.columns,
    next: async () => {
      if (offset >= result.rows.length) return null;
      const batch = result.rows.slice(offset, offset + batchRows);
      offset += batchRows;
      return batch;
    },
    close: async () => {},
  };
}
