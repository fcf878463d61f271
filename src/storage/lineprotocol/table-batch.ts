import { BatchColumn, type BatchColumnKind } from './batch-column.ts';
import { MAX_TIME_NS, MIN_TIME_NS } from './decimal-integer.ts';
import type { FieldValue, Point } from './types.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The columns one row writes: indexes into `TableBatch.columns`, tags first, each in the order written. */
export interface RowShape {
  columns: number[];
  tagCount: number;
}

/**
 * The points of one measurement in a request body, stored by column. Rows that write the same
 * columns share a shape, so checks against the table's schema run once per shape, not per row.
 */
export class TableBatch {
  rowCount = 0;
  lineNumbers: Int32Array;
  /** Nanoseconds; rows listed in `missingTimes` hold 0 until the default time is filled in. */
  times: BigInt64Array;
  /** The same memory as `times`, for writing a time without making a BigInt. */
  private timeWords: Int32Array;
  shapeOfRow: Int32Array;
  readonly columns: BatchColumn[] = [];
  readonly shapes: RowShape[] = [];
  /** Rows written without a time, ascending. */
  readonly missingTimes: number[] = [];
  /** Rows whose timestamp is outside InfluxDB's range (MIN_TIME_NS..MAX_TIME_NS), with it (only from points built outside the parser). */
  readonly unstorableTimes = new Map<number, bigint>();
  /** Rows with an integer field outside its 64-bit range (only from points built outside the parser). */
  readonly fieldProblems = new Map<number, string>();
  /** Column ids by kind, then name. */
  private readonly columnIds = new Map<BatchColumnKind, Map<string, number>>();
  private readonly shapeIds = new Map<string, number>();
  private capacity: number;

  constructor(
    readonly measurement: string,
    capacity = 64,
  ) {
    this.capacity = Math.max(1, capacity);
    this.lineNumbers = new Int32Array(this.capacity);
    this.times = new BigInt64Array(this.capacity);
    this.timeWords = new Int32Array(this.times.buffer);
    this.shapeOfRow = new Int32Array(this.capacity);
  }

  /** The index of the column with this name and kind, added if new. */
  columnId(name: string, kind: BatchColumnKind): number {
    let ofKind = this.columnIds.get(kind);
    if (ofKind === undefined) {
      ofKind = new Map();
      this.columnIds.set(kind, ofKind);
    }
    let id = ofKind.get(name);
    if (id === undefined) {
      id = this.columns.length;
      this.columns.push(new BatchColumn(name, kind, this.capacity));
      ofKind.set(name, id);
    }
    return id;
  }

  /** The index of the shape with these columns, added if new; `columns` is copied. */
  shapeId(columns: ArrayLike<number>, count: number, tagCount: number): number {
    let key = `${tagCount}`;
    for (let i = 0; i < count; i++) key += `,${columns[i]}`;
    let id = this.shapeIds.get(key);
    if (id === undefined) {
      id = this.shapes.length;
      this.shapes.push({ columns: Array.from({ length: count }, (_, i) => columns[i]!), tagCount });
      this.shapeIds.set(key, id);
    }
    return id;
  }

  /** Adds a row and returns its index; the caller then sets the values of its shape's columns. */
  addRow(lineNumber: number, shape: number, timeNs: bigint | null): number {
    if (this.rowCount === this.capacity) this.grow(this.capacity * 2);
    const row = this.rowCount++;
    this.lineNumbers[row] = lineNumber;
    this.shapeOfRow[row] = shape;
    if (timeNs === null) this.missingTimes.push(row);
    else if (timeNs < MIN_TIME_NS || timeNs > MAX_TIME_NS) this.unstorableTimes.set(row, timeNs);
    else this.times[row] = timeNs;
    return row;
  }

  /**
   * `addRow` for a time in MIN_TIME_NS..MAX_TIME_NS given as its int64's low and high 32-bit halves
   * (each as an unsigned or signed 32-bit number).
   */
  addRowWithTimeWords(lineNumber: number, shape: number, low: number, high: number): number {
    if (this.rowCount === this.capacity) this.grow(this.capacity * 2);
    const row = this.rowCount++;
    this.lineNumbers[row] = lineNumber;
    this.shapeOfRow[row] = shape;
    this.timeWords[2 * row] = low;
    this.timeWords[2 * row + 1] = high;
    return row;
  }

  /** Takes over the row arrays of a batch parsed elsewhere (see batch-transfer.ts); its columns adopt theirs. */
  adopt(rowCount: number, lineNumbers: Int32Array, times: BigInt64Array, shapeOfRow: Int32Array): void {
    this.rowCount = rowCount;
    this.capacity = lineNumbers.length;
    this.lineNumbers = lineNumbers;
    this.times = times;
    this.timeWords = new Int32Array(times.buffer, times.byteOffset, times.length * 2);
    this.shapeOfRow = shapeOfRow;
  }

  /** Adds a point made outside the byte parser (the general parser, or a caller of the storage port). */
  addPoint(lineNumber: number, point: Point): void {
    const ids: number[] = [];
    for (const [name] of point.tags) ids.push(this.columnId(name, 'tag'));
    for (const [name, field] of point.fields) ids.push(this.columnId(name, field.type));
    const row = this.addRow(lineNumber, this.shapeId(ids, ids.length, point.tags.length), point.timestampNs);
    point.tags.forEach(([, value], index) => {
      this.columns[ids[index]!]!.setString(row, value);
    });
    point.fields.forEach(([name, field], index) => {
      const problem = rangeProblem(name, field);
      if (problem !== undefined && !this.fieldProblems.has(row)) this.fieldProblems.set(row, problem);
      this.columns[ids[point.tags.length + index]!]!.setValue(row, field);
    });
  }

  /** The point a row holds, for error messages and tests. Times not yet filled in read as null. */
  pointAt(row: number): Point {
    const shape = this.shapes[this.shapeOfRow[row]!]!;
    const tags: Array<[string, string]> = [];
    const fields: Array<[string, FieldValue]> = [];
    shape.columns.forEach((id, index) => {
      const column = this.columns[id]!;
      if (index < shape.tagCount) tags.push([column.name, column.strings[row]!]);
      else fields.push([column.name, column.valueAt(row)]);
    });
    const timestampNs = this.timeMissing(row) ? null : (this.unstorableTimes.get(row) ?? this.times[row]!);
    return { measurement: this.measurement, tags, fields, timestampNs };
  }

  /** Whether the row was written without a time: a binary search, as rows are added in order. */
  private timeMissing(row: number): boolean {
    const rows = this.missingTimes;
    let low = 0;
    let high = rows.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (rows[middle]! === row) return true;
      if (rows[middle]! < row) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  private grow(capacity: number): void {
    this.capacity = capacity;
    this.lineNumbers = grown(new Int32Array(capacity), this.lineNumbers);
    this.times = grown(new BigInt64Array(capacity), this.times);
    this.timeWords = new Int32Array(this.times.buffer);
    this.shapeOfRow = grown(new Int32Array(capacity), this.shapeOfRow);
    for (const column of this.columns) column.grow(capacity);
  }
}

function grown<T extends Int32Array | BigInt64Array>(target: T, source: T): T {
  target.set(source as never);
  return target;
}

function rangeProblem(name: string, field: FieldValue): string | undefined {
  if (field.type === 'integer' && (field.value < INT64_MIN || field.value > INT64_MAX)) {
    return `field '${name}' value ${field.value} is out of range for integer`;
  }
  if (field.type === 'uinteger' && (field.value < 0n || field.value > UINT64_MAX)) {
    return `field '${name}' value ${field.value} is out of range for uinteger`;
  }
  return undefined;
}
