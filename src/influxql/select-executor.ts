import type { FieldType } from '../storage/lineprotocol/types.ts';
import { streamOf, tooLarge } from '../storage/query-stream.ts';
import type { MeasurementSchema, QueryResult, QueryStream, VirtualTable } from '../storage/storage.ts';
import { byteOrder } from '../support/byte-order.ts';
import type { Dimension, SelectStatement, Source } from './ast.ts';
import type { Interval } from './buckets.ts';
import { InfluxqlError } from './errors.ts';
import { planProjections, type UnionSchema } from './projections.ts';
import { nameMatcher } from './regex.ts';
import type { Series, SeriesPart } from './result.ts';
import { measurementSql, type SelectShape } from './select-sql.ts';
import { seriesParts } from './series-builder.ts';
import type { MeasurementScope } from './sql-expr.ts';
import { sqlIdent } from './sql-text.ts';
import { splitTimeRange, type TimeContext, type TimeRange } from './time-condition.ts';
import { formatRfc3339 } from './time-literals.ts';

/** How a statement reads one database: its schema and SQL over it (the sandbox sees every query). */
export interface InfluxqlReader {
  schema(): Promise<MeasurementSchema[]>;
  /** SQL read whole (SHOW statements' small answers). */
  query(sql: string): Promise<QueryResult>;
  /** SQL as a stream of batches, which the caller closes: the rows of a SELECT. */
  open(sql: string): Promise<QueryStream>;
  /** SQL over the given tables only, as a stream: the results of subqueries. */
  openTables(tables: VirtualTable[], sql: string): Promise<QueryStream>;
  /** The most rows a subquery's result may hold (it is read whole into a table): the result cap. */
  maxRows?: number;
}

/** The most empty buckets fill() may add over a whole statement. */
const MAX_FILLED_BUCKETS = 1_000_000;

interface SourceTable {
  scope: MeasurementScope;
  /** The table in SQL: its name, or `main.<name>` for a subquery's result. */
  from: string;
  open: (sql: string) => Promise<QueryStream>;
}

/** What a SELECT learnt while planning, before its first part: the GROUP BY tags of each measurement it reads. */
export interface SelectPlan {
  groupTags?: string[][];
}

/**
 * Runs a SELECT and streams its series, ordered by measurement and then by tags, in parts: one
 * measurement's SQL at a time, each series as its rows arrive (see seriesParts).
 */
export async function* selectParts(
  statement: SelectStatement,
  reader: InfluxqlReader,
  ctx: TimeContext,
  parentRange: TimeRange = {},
  depth = 0,
  plan: SelectPlan = {},
): AsyncGenerator<SeriesPart> {
  const timeCtx: TimeContext = statement.timezone === undefined ? ctx : { ...ctx, timezone: statement.timezone };
  const split = splitTimeRange(statement.condition, timeCtx);
  const range = intersect(split.range, parentRange);
  const tables = await resolveSources(statement, reader, timeCtx, range, depth);
  const interval = intervalOf(statement.dimensions, statement.timezone);
  const union = unionSchema(tables);
  const excluded = groupTagsOver(statement.dimensions, [...union.tags]);
  const projections = planProjections(statement, union, new Set(excluded), interval !== undefined);
  if (interval !== undefined && range.upper === undefined) range.upper = ctx.nowNs;
  const widened = needsPreviousBucket(projections.columns) && interval !== undefined && range.lower !== undefined;
  const dataRange: TimeRange = widened ? { ...range, lower: range.lower! - interval!.every } : range;

  const shape: SelectShape = { projections, range: dataRange, descending: statement.descending, ctx: timeCtx };
  if (interval !== undefined) shape.interval = interval;
  if (split.rest !== undefined) shape.condition = split.rest;
  if (statement.limit !== undefined) shape.limit = statement.limit;
  if (statement.offset !== undefined) shape.offset = statement.offset;
  const fill = statement.fill ?? (depth > 0 ? { kind: 'none' as const } : { kind: 'null' as const });
  const budget = { remaining: MAX_FILLED_BUCKETS };

  const plans = tables.flatMap((table) => {
    const groupTags = groupTagsOver(statement.dimensions, [...table.scope.tags]);
    const planned = measurementSql(shape, table.from, table.scope, groupTags);
    return planned === undefined ? [] : [{ table, groupTags, planned }];
  });
  plan.groupTags = plans.map((one) => one.groupTags);
  for (const { table, groupTags, planned } of plans) {
    const stream = await table.open(planned.sql);
    const seriesShape = {
      projections,
      range: dataRange,
      descending: statement.descending,
      limited: planned.limited,
      ...(interval === undefined ? {} : { interval }),
      ...(range.lower === undefined ? {} : { lower: range.lower }),
      ...(projections.mode === 'aggregate' && interval !== undefined ? { fill } : {}),
      ...(statement.limit === undefined ? {} : { limit: statement.limit }),
      ...(statement.offset === undefined ? {} : { offset: statement.offset }),
    };
    try {
      yield* seriesParts(seriesShape, table.scope.name, groupTags, stream, planned.types, budget);
    } finally {
      await stream.close();
    }
  }
}

/** Runs a SELECT and returns its series whole (a subquery's, which the outer query reads as tables). */
export async function executeSelect(
  statement: SelectStatement,
  reader: InfluxqlReader,
  ctx: TimeContext,
  parentRange: TimeRange = {},
  depth = 0,
): Promise<Series[]> {
  return collectSeries(selectParts(statement, reader, ctx, parentRange, depth), reader.maxRows);
}

/** Parts joined back into whole series; past `maxRows` rows in all, QUERY_RESULT_TOO_LARGE. */
export async function collectSeries(
  parts: AsyncIterable<SeriesPart>,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Series[]> {
  const series: Series[] = [];
  let open: Series | undefined;
  let rows = 0;
  for await (const part of parts) {
    rows += part.values.length;
    if (rows > maxRows) throw tooLarge({ maxRows }, `${maxRows} rows`);
    if (open === undefined) {
      const { continues: _continues, ...whole } = part;
      open = { ...whole, values: [...part.values] };
    } else {
      for (const row of part.values) open.values.push(row);
    }
    if (!part.continues) {
      series.push(open);
      open = undefined;
    }
  }
  return series;
}

/** The SQL each measurement would run, for EXPLAIN. */
export async function explainSelect(
  statement: SelectStatement,
  reader: InfluxqlReader,
  ctx: TimeContext,
): Promise<string[]> {
  const captured: string[] = [];
  const recording: InfluxqlReader = {
    schema: () => reader.schema(),
    query: (sql) => reader.query(sql),
    open: async (sql) => {
      captured.push(sql);
      return streamOf({ columns: [], rows: [] });
    },
    openTables: async (tables, sql) => {
      captured.push(sql);
      return reader.openTables(tables, sql);
    },
  };
  await executeSelect(statement, recording, ctx);
  return captured;
}

function intersect(a: TimeRange, b: TimeRange): TimeRange {
  const range: TimeRange = {};
  const lower = pick(a.lower, b.lower, (x, y) => x > y);
  const upper = pick(a.upper, b.upper, (x, y) => x < y);
  if (lower !== undefined) range.lower = lower;
  if (upper !== undefined) range.upper = upper;
  return range;
}

/** The bound that wins (`better`), where an absent bound loses to any other. */
function pick(
  a: bigint | undefined,
  b: bigint | undefined,
  better: (x: bigint, y: bigint) => boolean,
): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return better(a, b) ? a : b;
}

function needsPreviousBucket(columns: ReturnType<typeof planProjections>['columns']): boolean {
  return columns.some((column) => column.kind === 'transform' && column.transform.name !== 'cumulative_sum');
}

function intervalOf(dimensions: readonly Dimension[], timezone: string | undefined): Interval | undefined {
  const times = dimensions.filter((dimension) => dimension.kind === 'time');
  if (times.length > 1) throw new InfluxqlError('multiple time dimensions not allowed');
  const time = times[0];
  if (time === undefined || time.kind !== 'time') return undefined;
  return timezone === undefined
    ? { every: time.interval, offset: time.offset }
    : { every: time.interval, offset: time.offset, timezone };
}

/** The tags a measurement's series are keyed by: named ones (even if absent), and those a regex or `*` matches. */
function groupTagsOver(dimensions: readonly Dimension[], tags: readonly string[]): string[] {
  const chosen = new Set<string>();
  for (const dimension of dimensions) {
    if (dimension.kind === 'tag') chosen.add(dimension.name);
    else if (dimension.kind === 'wildcard') for (const tag of tags) chosen.add(tag);
    else if (dimension.kind === 'regex') {
      const matches = nameMatcher(dimension.source);
      for (const tag of tags) if (matches(tag)) chosen.add(tag);
    }
  }
  return [...chosen].sort(byteOrder);
}

function unionSchema(tables: readonly SourceTable[]): UnionSchema {
  const fields = new Map<string, FieldType>();
  const tags = new Set<string>();
  for (const { scope } of tables) {
    for (const [name, type] of scope.fields) if (!fields.has(name)) fields.set(name, type);
    for (const tag of scope.tags) tags.add(tag);
  }
  return { fields, tags };
}

async function resolveSources(
  statement: SelectStatement,
  reader: InfluxqlReader,
  ctx: TimeContext,
  range: TimeRange,
  depth: number,
): Promise<SourceTable[]> {
  const subqueries = statement.sources.filter((source) => source.kind === 'subquery');
  if (subqueries.length > 0) {
    if (statement.sources.length > 1) {
      throw new InfluxqlError('a subquery cannot be combined with other sources in one FROM clause');
    }
    const inner = subqueries[0]!.statement;
    return subqueryTables(await executeSelect(inner, reader, ctx, range, depth + 1), reader);
  }
  const schema = await reader.schema();
  const chosen = new Map<string, MeasurementSchema>();
  for (const source of statement.sources) {
    for (const measurement of matchingMeasurements(source, schema)) chosen.set(measurement.name, measurement);
  }
  return [...chosen.values()]
    .sort((a, b) => byteOrder(a.name, b.name))
    .map((measurement) => ({
      scope: {
        name: measurement.name,
        tags: new Set(measurement.tags),
        fields: new Map(measurement.fields.map((field) => [field.name, field.type])),
      },
      from: sqlIdent(measurement.name),
      open: (sql) => reader.open(sql),
    }));
}

export function matchingMeasurements(source: Source, schema: readonly MeasurementSchema[]): MeasurementSchema[] {
  if (source.kind !== 'measurement') return [];
  if (source.regex !== undefined) {
    const matches = nameMatcher(source.regex);
    return schema.filter((measurement) => matches(measurement.name));
  }
  return schema.filter((measurement) => measurement.name === source.name);
}

const SQL_TYPES: Readonly<Record<string, string>> = {
  float: 'DOUBLE',
  integer: 'BIGINT',
  uinteger: 'UBIGINT',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  tag: 'VARCHAR',
};

/**
 * A subquery's series as tables the outer query reads: one per measurement, with its series'
 * tags as tags and its columns as fields of the types they have.
 */
function subqueryTables(series: readonly Series[], reader: InfluxqlReader): SourceTable[] {
  const byName = new Map<string, Series[]>();
  for (const one of series) byName.set(one.name, [...(byName.get(one.name) ?? []), one]);
  const virtual: VirtualTable[] = [];
  const scopes: MeasurementScope[] = [];
  for (const [name, members] of [...byName.entries()].sort(([a], [b]) => byteOrder(a, b))) {
    const first = members[0]!;
    const tagKeys = [...new Set(members.flatMap((one) => one.tags.map(([key]) => key)))].sort(byteOrder);
    const valueColumns = first.columns.slice(1).map((column, i) => ({ name: column, type: first.types[i + 1]! }));
    const tags = new Set([...tagKeys, ...valueColumns.filter((c) => c.type === 'tag').map((c) => c.name)]);
    const fields = new Map<string, FieldType>();
    for (const column of valueColumns) {
      if (column.type !== 'tag' && !tags.has(column.name)) fields.set(column.name, fieldTypeOf(column.type));
    }
    const columns = [
      { name: 'time', sqlType: 'TIMESTAMP_NS' },
      ...tagKeys.map((key) => ({ name: key, sqlType: 'VARCHAR' })),
      ...valueColumns
        .filter((column) => !tagKeys.includes(column.name))
        .map((column) => ({ name: column.name, sqlType: SQL_TYPES[column.type] ?? 'DOUBLE' })),
    ];
    const rows = members.flatMap((one) => {
      const tagValues = tagKeys.map((key) => one.tags.find(([k]) => k === key)?.[1] ?? null);
      const keep = valueColumns.map((column, i) => (tagKeys.includes(column.name) ? -1 : i + 1)).filter((i) => i > 0);
      return one.values.map((row) => [
        formatRfc3339(row[0] as bigint),
        ...tagValues,
        ...keep.map((i) => row[i] ?? null),
      ]);
    });
    virtual.push({ schema: 'main', name, columns, rows });
    scopes.push({ name, tags, fields });
  }
  return scopes.map((scope) => ({
    scope,
    from: `main.${sqlIdent(scope.name)}`,
    open: (sql) => reader.openTables(virtual, sql),
  }));
}

function fieldTypeOf(type: string): FieldType {
  return type === 'integer' || type === 'uinteger' || type === 'string' || type === 'boolean' ? type : 'float';
}
