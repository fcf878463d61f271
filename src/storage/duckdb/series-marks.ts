import type { DuckDBConnection } from '@duckdb/node-api';
import { type BlockRow, foldDuplicates } from './duplicate-fold.ts';
import { identifierKey, quoteIdentifier } from './identifiers.ts';
import { SeriesKeys, seriesKey } from './series-keys.ts';
import type { DraftBlock, DraftTable } from './write-draft.ts';

/** The latest time stored per series (its present tags, in table order), per table key. */
type Marks = Map<string, bigint>;

/**
 * High-water marks for last write wins: per table, the latest time stored for each series. A row
 * later than its series' mark cannot meet a stored row (nor an earlier row of its batch), so it is
 * appended as it is; only the others pay for a merge. Loaded per table on its first write after
 * open; a retention delete leaves marks high, which only sends more rows to the merge.
 */
export class SeriesMarks {
  private readonly tables = new Map<string, Marks>();

  /** Loads the marks of the draft's existing tables not loaded yet (inside the write transaction). */
  async load(connection: DuckDBConnection, tables: readonly DraftTable[]): Promise<void> {
    for (const table of tables) {
      const key = identifierKey(table.schema.name);
      if (this.tables.has(key)) continue;
      const marks: Marks = new Map();
      if (!table.isNew) {
        const tags = table.schema.columns.slice(0, table.storedColumns).filter((column) => column.kind === 'tag');
        const list = tags.map((column) => quoteIdentifier(column.name));
        const reader = await connection.runAndReadAll(
          `SELECT ${[...list, 'CAST(epoch_ns(max("time")) AS VARCHAR)'].join(', ')} FROM ${quoteIdentifier(table.schema.name)}${list.length > 0 ? ` GROUP BY ${list.join(', ')}` : ''}`,
        );
        const names = tags.map((column) => column.name);
        for (const row of reader.getRows()) {
          const time = row[row.length - 1];
          if (time === null || time === undefined) continue;
          marks.set(seriesKey(names, row.slice(0, -1) as Array<string | null>), BigInt(String(time)));
        }
      }
      this.tables.set(key, marks);
    }
  }

  /**
   * Splits each table's rows into those appended as they are and those to merge with stored rows,
   * one row per series and time: rows of one series and time are folded into one first (see
   * duplicate-fold.ts). Returns the new marks, to `commit` once the transaction has.
   */
  plan(table: DraftTable): { append: DraftBlock[]; merge: DraftBlock[]; marks: Map<string, bigint> } {
    const stored = this.tables.get(identifierKey(table.schema.name)) ?? new Map<string, bigint>();
    const tagNames = table.schema.columns.filter((column) => column.kind === 'tag').map((column) => column.name);
    const raised = new Map<string, bigint>();
    /** The rows to merge, by series and time, in write order. */
    const pending = new Map<string, BlockRow[]>();
    const append: DraftBlock[] = [];
    const seriesKeys = new SeriesKeys(tagNames);
    table.blocks.forEach((block, index) => {
      const { source } = block;
      const keys = seriesKeys.ofRows(source);
      const appended = new Uint8Array(source.rowCount);
      let appendedCount = 0;
      for (let row = 0; row < source.rowCount; row++) {
        if (block.accepted !== null && block.accepted[row] !== 1) continue;
        const series = keys[row]!;
        const time = source.times[row]!;
        const mark = raised.get(series) ?? stored.get(series);
        if (mark === undefined || time > mark) {
          raised.set(series, time);
          appended[row] = 1;
          appendedCount++;
          continue;
        }
        const point = `${time}\u0000${series}`;
        const rows = pending.get(point);
        if (rows === undefined) pending.set(point, [{ block: index, row }]);
        else rows.push({ block: index, row });
      }
      if (appendedCount > 0) {
        append.push({
          source,
          accepted: appendedCount === source.rowCount ? null : appended,
          acceptedCount: appendedCount,
        });
      }
    });
    return { append, merge: mergeBlocks(table.blocks, pending), marks: raised };
  }

  /** Makes the marks of a committed transaction the truth. */
  commit(tableName: string, raised: Map<string, bigint>): void {
    const key = identifierKey(tableName);
    let marks = this.tables.get(key);
    if (marks === undefined) {
      marks = new Map();
      this.tables.set(key, marks);
    }
    for (const [series, time] of raised) marks.set(series, time);
  }

  /** Forgets a table's marks (after a failed transaction the loaded ones may include its DDL's view). */
  forget(tableName: string): void {
    this.tables.delete(identifierKey(tableName));
  }
}

/** The rows to merge as blocks: single rows where they are, repeated ones folded into one block. */
function mergeBlocks(blocks: readonly DraftBlock[], pending: ReadonlyMap<string, BlockRow[]>): DraftBlock[] {
  const single = new Map<number, Uint8Array>();
  const repeated: BlockRow[][] = [];
  for (const rows of pending.values()) {
    if (rows.length > 1) {
      repeated.push(rows);
      continue;
    }
    const { block, row } = rows[0]!;
    let mask = single.get(block);
    if (mask === undefined) {
      mask = new Uint8Array(blocks[block]!.source.rowCount);
      single.set(block, mask);
    }
    mask[row] = 1;
  }
  const merge: DraftBlock[] = [];
  // One row per series and time here, so their order does not matter.
  for (const [block, mask] of single) {
    let count = 0;
    for (const value of mask) count += value;
    merge.push({ source: blocks[block]!.source, accepted: mask, acceptedCount: count });
  }
  if (repeated.length > 0) merge.push(foldDuplicates(blocks, repeated));
  return merge;
}
