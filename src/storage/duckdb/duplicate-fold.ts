import { TableBatch } from '../lineprotocol/table-batch.ts';
import type { FieldValue } from '../lineprotocol/types.ts';
import type { DraftBlock } from './write-draft.ts';

/** One row of a draft block: the block's index in the table's blocks, and the row in its source. */
export interface BlockRow {
  block: number;
  row: number;
}

/**
 * Rows of one series and time, in write order, folded into one point per series and time as last
 * write wins does: each field takes the value of the last row that carries it. Done in memory, so
 * a batch repeating a point a thousand times (a client retrying, or timestamps rounded to one
 * value) costs the merge one row, not a thousand passes over the stored table.
 */
export function foldDuplicates(blocks: readonly DraftBlock[], groups: Iterable<readonly BlockRow[]>): DraftBlock {
  let folded: TableBatch | undefined;
  for (const group of groups) {
    const first = group[0]!;
    const firstSource = blocks[first.block]!.source;
    folded ??= new TableBatch(firstSource.measurement, 64);
    const fields = new Map<string, FieldValue>();
    for (const { block, row } of group) {
      for (const [name, value] of blocks[block]!.source.pointAt(row).fields) {
        fields.delete(name); // keeps the fields in the order last written
        fields.set(name, value);
      }
    }
    const { tags } = firstSource.pointAt(first.row);
    folded.addPoint(firstSource.lineNumbers[first.row]!, {
      measurement: firstSource.measurement,
      tags,
      fields: [...fields],
      // The source's time as filled in (pointAt reads a defaulted time as missing).
      timestampNs: firstSource.times[first.row]!,
    });
  }
  if (folded === undefined) throw new Error('no duplicates to fold');
  return { source: folded, accepted: null, acceptedCount: folded.rowCount };
}
