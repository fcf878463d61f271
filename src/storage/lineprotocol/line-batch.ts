import { TableBatch } from './table-batch.ts';
import type { LineError, ParsedLine } from './types.ts';

/** A parsed request body: its points by measurement, stored by column, and its bad lines. */
export class LineBatch {
  /** In the order their measurements first appear. */
  readonly tables: TableBatch[] = [];
  readonly errors: LineError[] = [];
  private readonly byMeasurement = new Map<string, TableBatch>();

  constructor(private readonly rowsHint = 64) {}

  get pointCount(): number {
    let count = 0;
    for (const table of this.tables) count += table.rowCount;
    return count;
  }

  table(measurement: string): TableBatch {
    let table = this.byMeasurement.get(measurement);
    if (table === undefined) {
      // Most bodies hold one measurement; later ones start small and grow.
      table = new TableBatch(measurement, this.tables.length === 0 ? this.rowsHint : 64);
      this.byMeasurement.set(measurement, table);
      this.tables.push(table);
    }
    return table;
  }

  static fromPoints(points: readonly ParsedLine[]): LineBatch {
    const batch = new LineBatch(points.length);
    for (const { lineNumber, point } of points) batch.table(point.measurement).addPoint(lineNumber, point);
    return batch;
  }

  /** The points in line order (for tests and comparisons with the general parser). */
  toParsedLines(): ParsedLine[] {
    const lines: ParsedLine[] = [];
    for (const table of this.tables) {
      for (let row = 0; row < table.rowCount; row++) {
        lines.push({ lineNumber: table.lineNumbers[row]!, point: table.pointAt(row) });
      }
    }
    return lines.sort((a, b) => a.lineNumber - b.lineNumber);
  }
}
