import type { DuckDBAppender, DuckDBType } from '@duckdb/node-api';
import { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb, { type Vector } from '@duckdb/node-bindings';
import type { BatchColumn } from '../lineprotocol/batch-column.ts';
import type { ColumnSchema } from './column-registry.ts';
import {
  fillBytes,
  fillStrings,
  fillValidity,
  fillWords,
  type RowSelection,
  type VectorScratch,
} from './vector-fill.ts';
import type { DraftBlock } from './write-draft.ts';

/** Rows per data chunk: DuckDB's vector size. */
export const CHUNK_ROWS = 2048;

/** Appends the stored rows of one block, a data chunk of up to 2048 rows at a time, whole columns at once. */
export function appendBlock(
  appender: DuckDBAppender,
  types: DuckDBType[],
  columns: ColumnSchema[],
  block: DraftBlock,
  scratch: VectorScratch,
): void {
  const { source } = block;
  // Stored rows name their columns exactly as the table does, with its kinds.
  const sources = columns.map((column) =>
    source.columns.find((candidate) => candidate.name === column.name && candidate.kind === column.kind),
  );
  const rows = block.accepted === null ? null : selectedRows(block.accepted, block.acceptedCount);
  for (let offset = 0; offset < block.acceptedCount; offset += CHUNK_ROWS) {
    const select: RowSelection = { rows, offset, count: Math.min(CHUNK_ROWS, block.acceptedCount - offset) };
    const chunk = DuckDBDataChunk.create(types, select.count);
    columns.forEach((column, index) => {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
      if (column.kind === 'time') fillWords(vector, source.times, select, scratch);
      else fillColumn(vector, sources[index], select, scratch);
    });
    appender.appendDataChunk(chunk);
  }
}

function fillColumn(vector: Vector, column: BatchColumn | undefined, select: RowSelection, scratch: VectorScratch) {
  if (column === undefined) return fillValidity(vector, null, select, scratch);
  if (column.kind === 'float') fillWords(vector, column.floats, select, scratch);
  else if (column.kind === 'integer' || column.kind === 'uinteger') fillWords(vector, column.integers, select, scratch);
  else if (column.kind === 'boolean') fillBytes(vector, column.booleans, select, scratch);
  else fillStrings(vector, column, select, scratch);
  if (column.presentCount < column.present.length || select.rows !== null) {
    if (!allPresent(column.present, select)) fillValidity(vector, column.present, select, scratch);
  }
}

function allPresent(present: Uint8Array, select: RowSelection): boolean {
  for (let i = 0; i < select.count; i++) {
    const row = select.rows === null ? select.offset + i : select.rows[select.offset + i]!;
    if (present[row] !== 1) return false;
  }
  return true;
}

function selectedRows(accepted: Uint8Array, count: number): Int32Array {
  const rows = new Int32Array(count);
  let next = 0;
  for (let row = 0; row < accepted.length; row++) if (accepted[row] === 1) rows[next++] = row;
  return rows;
}
