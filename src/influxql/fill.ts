import type { Fill } from './ast.ts';
import { type Interval, nextBucket } from './buckets.ts';
import { InfluxqlError } from './errors.ts';

/** One row of a series: its time and the values of the statement's columns. */
export interface Row {
  time: bigint;
  values: unknown[];
}

export interface FillColumn {
  /** `count(…)` alone: an empty bucket counts 0 under fill(null), as InfluxDB answers. */
  isCount: boolean;
  /** Integer columns interpolate to integers (truncated), as InfluxDB does. */
  integer: boolean;
}

/**
 * Adds the missing buckets between `first` and `last` (inclusive bucket starts) of one series and
 * fills the values no point gave: `null` (counts 0), a number, the previous value, or a value
 * interpolated between the neighbours. `none` leaves the rows as they are. Rows are ascending.
 */
export function fillBuckets(
  rows: readonly Row[],
  first: bigint,
  last: bigint,
  interval: Interval,
  fill: Fill,
  columns: readonly FillColumn[],
  budget: { remaining: number },
): Row[] {
  if (fill.kind === 'none') return [...rows];
  const filled: Row[] = [];
  let index = 0;
  for (let t = first; t <= last; t = nextBucket(t, interval)) {
    while (index < rows.length && rows[index]!.time < t) filled.push(rows[index++]!);
    if (index < rows.length && rows[index]!.time === t) {
      filled.push(rows[index++]!);
    } else {
      if (--budget.remaining < 0) {
        throw new InfluxqlError(
          'GROUP BY time() would fill too many empty buckets; narrow the time range, widen the interval or use fill(none)',
        );
      }
      filled.push({ time: t, values: columns.map((column) => (column.isCount && fill.kind === 'null' ? 0 : null)) });
    }
  }
  while (index < rows.length) filled.push(rows[index++]!);
  if (fill.kind === 'value') fillWithValue(filled, fill.value);
  else if (fill.kind === 'previous') fillPrevious(filled, columns.length);
  else if (fill.kind === 'linear') fillLinear(filled, columns);
  return filled;
}

function fillWithValue(rows: Row[], value: number): void {
  for (const row of rows) {
    for (let c = 0; c < row.values.length; c++) if (row.values[c] === null) row.values[c] = value;
  }
}

function fillPrevious(rows: Row[], width: number): void {
  for (let c = 0; c < width; c++) {
    let previous: unknown = null;
    for (const row of rows) {
      if (row.values[c] === null) row.values[c] = previous;
      else previous = row.values[c];
    }
  }
}

/** Interpolates numbers between the nearest known values before and after; the ends stay empty. */
function fillLinear(rows: Row[], columns: readonly FillColumn[]): void {
  for (let c = 0; c < columns.length; c++) {
    let before = -1;
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i]!.values[c];
      if (value === null || typeof value !== 'number') continue;
      if (before >= 0 && i - before > 1) {
        const start = rows[before]!;
        const startValue = start.values[c] as number;
        const span = Number(rows[i]!.time - start.time);
        const integral = columns[c]!.integer;
        for (let j = before + 1; j < i; j++) {
          const interpolated = startValue + ((value - startValue) * Number(rows[j]!.time - start.time)) / span;
          rows[j]!.values[c] = integral ? Math.trunc(interpolated) : interpolated;
        }
      }
      before = i;
    }
  }
}
