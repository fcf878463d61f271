import type { BatchColumn, BatchColumnKind } from './batch-column.ts';
import { LineBatch } from './line-batch.ts';
import type { RowShape } from './table-batch.ts';
import type { LineError } from './types.ts';

/**
 * A `LineBatch` as a worker thread posts it: typed arrays moved (their buffers in the transfer
 * list, not copied), string columns as a dictionary of distinct values and an index per row (tags
 * repeat: one string per distinct value crosses, not one per row).
 */
export interface PackedBatch {
  tables: PackedTable[];
  errors: LineError[];
}

interface PackedTable {
  measurement: string;
  rowCount: number;
  lineNumbers: Int32Array;
  times: BigInt64Array;
  shapeOfRow: Int32Array;
  columns: PackedColumn[];
  shapes: RowShape[];
  missingTimes: number[];
  unstorableTimes: Map<number, bigint>;
  fieldProblems: Map<number, string>;
}

interface PackedColumn {
  name: string;
  kind: BatchColumnKind;
  present: Uint8Array;
  presentCount: number;
  floats: Float64Array;
  integers: BigInt64Array;
  booleans: Uint8Array;
  /** Distinct strings and, per row that wrote the column, the index of its value (tags and strings). */
  dictionary: string[];
  codes: Int32Array;
}

export function packBatch(batch: LineBatch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const move = <T extends { buffer: ArrayBufferLike }>(array: T): T => {
    transfer.add(array.buffer as ArrayBuffer);
    return array;
  };
  const tables = batch.tables.map((table): PackedTable => {
    const columns = table.columns.map((column): PackedColumn => {
      const { dictionary, codes } =
        column.kind === 'tag' || column.kind === 'string'
          ? encodeStrings(column, table.rowCount)
          : { dictionary: [], codes: new Int32Array(0) };
      return {
        name: column.name,
        kind: column.kind,
        present: move(column.present),
        presentCount: column.presentCount,
        floats: move(column.floats),
        integers: move(column.integers),
        booleans: move(column.booleans),
        dictionary,
        codes: move(codes),
      };
    });
    return {
      measurement: table.measurement,
      rowCount: table.rowCount,
      lineNumbers: move(table.lineNumbers),
      times: move(table.times),
      shapeOfRow: move(table.shapeOfRow),
      columns,
      shapes: table.shapes,
      missingTimes: table.missingTimes,
      unstorableTimes: table.unstorableTimes,
      fieldProblems: table.fieldProblems,
    };
  });
  return { packed: { tables, errors: batch.errors }, transfer: [...transfer] };
}

/** The batch `packBatch` packed, as the parser made it (the same rows, columns, shapes and errors). */
export function unpackBatch(packed: PackedBatch): LineBatch {
  const batch = new LineBatch();
  for (const source of packed.tables) {
    const table = batch.table(source.measurement);
    for (const column of source.columns) table.columnId(column.name, column.kind);
    for (const shape of source.shapes) table.shapeId(shape.columns, shape.columns.length, shape.tagCount);
    table.adopt(source.rowCount, source.lineNumbers, source.times, source.shapeOfRow);
    source.columns.forEach((column, index) => {
      const strings = column.dictionary.length === 0 ? [] : decodeStrings(column, source.rowCount);
      table.columns[index]!.adopt(column.present, column.presentCount, column, strings);
    });
    table.missingTimes.push(...source.missingTimes);
    for (const [row, time] of source.unstorableTimes) table.unstorableTimes.set(row, time);
    for (const [row, problem] of source.fieldProblems) table.fieldProblems.set(row, problem);
  }
  batch.errors.push(...packed.errors);
  return batch;
}

function encodeStrings(column: BatchColumn, rowCount: number): { dictionary: string[]; codes: Int32Array } {
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(rowCount);
  const { present, strings } = column;
  for (let row = 0; row < rowCount; row++) {
    if (present[row] !== 1) continue;
    const value = strings[row]!;
    let code = index.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      index.set(value, code);
    }
    codes[row] = code;
  }
  return { dictionary, codes };
}

function decodeStrings(column: PackedColumn, rowCount: number): string[] {
  const strings: string[] = [];
  const { present, codes, dictionary } = column;
  for (let row = 0; row < rowCount; row++) if (present[row] === 1) strings[row] = dictionary[codes[row]!]!;
  return strings;
}
