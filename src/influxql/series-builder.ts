import type { FieldType } from '../storage/lineprotocol/types.ts';
import type { QueryStream } from '../storage/storage.ts';
import type { Fill } from './ast.ts';
import { bucketStart, type Interval } from './buckets.ts';
import { type FillColumn, fillBuckets, type Row } from './fill.ts';
import { resultType } from './functions.ts';
import type { Projection, Projections } from './projections.ts';
import type { ColumnType, Series, SeriesPart } from './result.ts';
import type { TimeRange } from './time-condition.ts';
import { applyTransform, integrate } from './transforms.ts';

/** What turning one measurement's SQL rows into series needs to know about the statement. */
export interface SeriesShape {
  projections: Projections;
  interval?: Interval;
  /** The range the rows were read from (widened for transformations). */
  range: TimeRange;
  /** The statement's own lower bound: the time of rows without one, and the first bucket kept. */
  lower?: bigint;
  fill?: Fill;
  descending: boolean;
  limit?: number;
  offset?: number;
  /** LIMIT and OFFSET were applied by the SQL already. */
  limited: boolean;
}

/** Rows per part of a series: about one engine chunk, so a part is small and a series of any length streams. */
export const PART_ROWS = 2048;

/**
 * Splits one measurement's SQL rows (`__time`, `__g…`, `__v…`, ordered by series then time) into
 * InfluxQL series as they arrive, in parts. A series whose rows come out as the SQL gives them (raw
 * rows, aggregates without fill(), LIMIT done by the SQL) streams part by part; one that needs its
 * whole self (fill(), transformations, integrals, DESC or LIMIT applied here) is held until its last
 * row, then filled, transformed, trimmed of the bucket read for the transformation, ordered and
 * limited: memory is bounded by one series, never by the result.
 */
export async function* seriesParts(
  shape: SeriesShape,
  measurement: string,
  groupTags: readonly string[],
  stream: QueryStream,
  valueTypes: ReadonlyArray<FieldType | 'tag' | 'null'>,
  budget: { remaining: number },
): AsyncGenerator<SeriesPart> {
  const groupCount = groupTags.length;
  const { columns, timeColumn, mode } = shape.projections;
  const types: ColumnType[] = [
    'time',
    ...columns.map((column, i) =>
      projectionType(column, columnType(valueTypes[i], stream.columns[1 + groupCount + i]?.sqlType)),
    ),
  ];
  const names = [timeColumn, ...columns.map((column) => column.name)];
  const fixedTime = shape.lower ?? 0n;
  const keepFrom =
    shape.interval !== undefined && shape.lower !== undefined ? bucketStart(shape.lower, shape.interval) : undefined;
  const passes = passesThrough(shape);
  const width = columns.length;
  let first: unknown[] | undefined;
  let header: Series | undefined;
  let pending: unknown[][] = [];
  let whole: Row[] = [];

  const finish = function* (): Generator<SeriesPart> {
    if (header === undefined) return;
    if (passes) {
      if (pending.length > 0) yield { ...header, values: pending, continues: false };
      pending = [];
      return;
    }
    const processed = mode === 'integral' ? integrateSeries(shape, whole) : processSeries(shape, whole, types, budget);
    whole = [];
    const values = withTimes(processed);
    for (let start = 0; start < values.length; start += PART_ROWS) {
      const end = start + PART_ROWS;
      yield { ...header, values: values.slice(start, end), continues: end < values.length };
    }
  };

  for (let batch = await stream.next(); batch !== null; batch = await stream.next()) {
    for (const row of batch) {
      if (first === undefined || !sameGroup(first, row, groupCount)) {
        yield* finish();
        first = row;
        const tags = groupTags.map((tag, i): [string, string] => [tag, String(row[1 + i] ?? '')]);
        header = { name: measurement, tags, columns: names, types, values: [] };
      }
      const time = row[0] === null || row[0] === undefined ? fixedTime : BigInt(row[0] as number | string);
      if (passes) {
        if (keepFrom !== undefined && time < keepFrom) continue;
        // Only now is it certain that the series goes on past the full part.
        if (pending.length >= PART_ROWS) {
          yield { ...header!, values: pending, continues: true };
          pending = [];
        }
        const line = new Array(width + 1);
        line[0] = time;
        for (let c = 0; c < width; c++) line[c + 1] = row[1 + groupCount + c];
        pending.push(line);
      } else {
        const values = new Array(width);
        for (let c = 0; c < width; c++) values[c] = row[1 + groupCount + c];
        whole.push({ time, values });
      }
    }
  }
  yield* finish();
}

/** Whether the SQL's rows are already the series' rows, in order, so they can be sent as they come. */
function passesThrough(shape: SeriesShape): boolean {
  const { mode, columns } = shape.projections;
  if (mode === 'integral' || columns.some((column) => column.kind === 'transform')) return false;
  if (mode === 'aggregate' && shape.interval !== undefined && shape.fill !== undefined && shape.fill.kind !== 'none') {
    return false;
  }
  return shape.limited || (!shape.descending && shape.limit === undefined && shape.offset === undefined);
}

/** Each row as `[time, ...values]`, without a spread per row. */
function withTimes(rows: readonly Row[]): unknown[][] {
  const out = new Array<unknown[]>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const { time, values } = rows[r]!;
    const line = new Array(values.length + 1);
    line[0] = time;
    for (let c = 0; c < values.length; c++) line[c + 1] = values[c];
    out[r] = line;
  }
  return out;
}

function sameGroup(a: unknown[], b: unknown[], groupCount: number): boolean {
  for (let i = 1; i <= groupCount; i++) if (a[i] !== b[i]) return false;
  return true;
}

function processSeries(shape: SeriesShape, input: Row[], types: ColumnType[], budget: { remaining: number }): Row[] {
  const { columns, mode } = shape.projections;
  let rows = input;
  const fill = shape.fill?.kind === 'none' ? undefined : shape.fill;
  if (mode === 'aggregate' && shape.interval !== undefined && fill !== undefined && rows.length > 0) {
    const first = shape.range.lower !== undefined ? bucketStart(shape.range.lower, shape.interval) : rows[0]!.time;
    const last =
      shape.range.upper !== undefined ? bucketStart(shape.range.upper, shape.interval) : rows[rows.length - 1]!.time;
    const fillColumns = columns.map(
      (column, i): FillColumn => ({ isCount: isCount(column), integer: types[i + 1] === 'integer' }),
    );
    rows = fillBuckets(rows, first, last, shape.interval, fill, fillColumns, budget);
  }
  const transformed = columns.map((column) => column.kind === 'transform');
  if (transformed.some(Boolean)) {
    const times = rows.map((row) => row.time);
    columns.forEach((column, c) => {
      if (column.kind !== 'transform') return;
      const out = applyTransform(
        column.transform,
        times,
        rows.map((row) => row.values[c]),
      );
      rows.forEach((row, i) => {
        row.values[c] = out[i];
      });
    });
    rows = rows.filter((row) => row.values.some((value, c) => transformed[c] && value !== null));
  }
  if (shape.interval !== undefined && shape.lower !== undefined) {
    const keepFrom = bucketStart(shape.lower, shape.interval);
    if (rows.some((row) => row.time < keepFrom)) rows = rows.filter((row) => row.time >= keepFrom);
  }
  return order(shape, rows);
}

function integrateSeries(shape: SeriesShape, input: Row[]): Row[] {
  const { columns } = shape.projections;
  const byTime = new Map<bigint, unknown[]>();
  columns.forEach((column, c) => {
    if (column.kind !== 'integral') return;
    const points = input.filter((row) => row.values[c] !== null && row.values[c] !== undefined);
    const areas = integrate(
      points.map((row) => row.time),
      points.map((row) => Number(row.values[c])),
      column.unitNs,
      shape.interval,
      shape.lower ?? 0n,
    );
    for (const area of points.length === 0 ? [] : areas) {
      let values = byTime.get(area.time);
      if (values === undefined) {
        values = new Array(columns.length).fill(null);
        byTime.set(area.time, values);
      }
      values[c] = area.value;
    }
  });
  const rows = [...byTime.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([time, values]) => ({ time, values }));
  return order(shape, rows);
}

function order(shape: SeriesShape, rows: Row[]): Row[] {
  let ordered = rows;
  if (shape.descending && !shape.limited) ordered = [...rows].reverse();
  if (!shape.limited && (shape.offset !== undefined || shape.limit !== undefined)) {
    const from = shape.offset ?? 0;
    ordered = ordered.slice(from, shape.limit === undefined ? undefined : from + shape.limit);
  }
  return ordered;
}

function isCount(column: Projection): boolean {
  if (column.kind !== 'value') return false;
  let expr = column.expr;
  while (expr.kind === 'paren') expr = expr.expr;
  return expr.kind === 'call' && expr.name === 'count';
}

/** Transformations and integrals change their input's type (`derivative` of integers is a float). */
function projectionType(column: Projection, input: ColumnType): ColumnType {
  if (column.kind === 'integral') return 'float';
  if (column.kind !== 'transform' || input === 'tag' || input === 'time' || input === 'unknown') return input;
  return resultType(column.transform.name, input);
}

function columnType(planned: FieldType | 'tag' | 'null' | undefined, sqlType: string | undefined): ColumnType {
  if (planned !== undefined && planned !== 'null') return planned;
  switch (sqlType) {
    case 'DOUBLE':
    case 'FLOAT':
      return 'float';
    case 'BIGINT':
    case 'INTEGER':
    case 'HUGEINT':
      return 'integer';
    case 'UBIGINT':
      return 'uinteger';
    case 'VARCHAR':
      return 'string';
    case 'BOOLEAN':
      return 'boolean';
    default:
      return 'unknown';
  }
}
