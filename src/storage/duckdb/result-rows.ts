import type { DuckDBDataChunk } from '@duckdb/node-api';
import { toJsonValue } from './result-values.ts';

/**
 * The rows of a result's chunks as JSON-safe values (see `toJsonValue`), filled one column vector
 * at a time into rows allocated once. Reading row by row (`getRows`, then mapping every row through
 * `toJsonValue`) costs two callbacks per value and builds every row twice: on 50,000 rows of four
 * columns, 40-60 ms against 7 ms here.
 */
export function rowsOfChunks(chunks: readonly DuckDBDataChunk[], columnCount: number): unknown[][] {
  const rowCount = chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);
  const rows = new Array<unknown[]>(rowCount);
  for (let row = 0; row < rowCount; row++) rows[row] = new Array(columnCount);
  let offset = 0;
  for (const chunk of chunks) {
    const chunkRows = chunk.rowCount;
    for (let column = 0; column < columnCount; column++) {
      const vector = chunk.getColumnVector(column);
      for (let item = 0; item < chunkRows; item++) rows[offset + item]![column] = toJsonValue(vector.getItem(item));
    }
    offset += chunkRows;
  }
  return rows;
}
