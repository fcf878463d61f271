import type { FieldType } from '../storage/lineprotocol/types.ts';
import { aggregateSql } from './aggregate-sql.ts';
import type { Expr } from './ast.ts';
import { bucketSql, type Interval } from './buckets.ts';
import { InfluxqlError } from './errors.ts';
import { acceptsType, functionSpec } from './functions.ts';
import { fieldArgument, type Projection, type Projections } from './projections.ts';
import { arithmetic, conditionSql, type MeasurementScope, resolveVar, type SqlValue, valueSql } from './sql-expr.ts';
import { sqlIdent, sqlInstant } from './sql-text.ts';
import { type TimeContext, type TimeRange, unparen } from './time-condition.ts';

/** Everything about a SELECT that does not depend on which measurement is read. */
export interface SelectShape {
  projections: Projections;
  interval?: Interval;
  /** The rows read: the WHERE time range, widened by one bucket when a transformation needs it. */
  range: TimeRange;
  condition?: Expr;
  descending: boolean;
  limit?: number;
  offset?: number;
  ctx: TimeContext;
}

/** The SQL of one measurement, and what its value columns are. */
export interface MeasurementSql {
  sql: string;
  /** One per projection: its type, and whether it is a tag value. */
  types: Array<FieldType | 'tag' | 'null'>;
  /** The SQL already applied LIMIT and OFFSET per series (raw statements without transformations). */
  limited: boolean;
}

const TIME_NS = 'epoch_ns("time")';

/**
 * The one SQL statement that reads a measurement for a SELECT: `__time` (BIGINT ns), the GROUP BY
 * tags as `__g0…` (a missing tag is ''), and a value column `__v0…` per projection, ordered by
 * series then time. Undefined when the measurement has none of the fields the statement reads.
 */
export function measurementSql(
  shape: SelectShape,
  from: string,
  scope: MeasurementScope,
  groupTags: readonly string[],
): MeasurementSql | undefined {
  const compiled = compileColumns(shape, scope);
  if (compiled.fields.size === 0) return undefined;
  const groups = groupTags.map((tag, i) =>
    scope.tags.has(tag) ? `coalesce(${sqlIdent(tag)}, '') AS "__g${i}"` : `'' AS "__g${i}"`,
  );
  const groupOrder = groupTags.map((_, i) => `"__g${i}"`);
  const where = whereClause(shape, scope, compiled.fields);
  const values = compiled.values.map((value, i) => `${value.sql} AS "__v${i}"`);
  const mode = shape.projections.mode;
  const types = compiled.values.map((value) => value.type);
  const select = (time: string) => `SELECT ${[`${time} AS "__time"`, ...groups, ...values].join(', ')} FROM ${from}`;

  if (mode === 'raw' || mode === 'integral') {
    const hasTransform = shape.projections.columns.some((column) => column.kind === 'transform');
    const pushLimit = mode === 'raw' && !hasTransform && (shape.limit !== undefined || shape.offset !== undefined);
    const direction = pushLimit && shape.descending ? ' DESC' : '';
    let sql = `${select(TIME_NS)}${where}`;
    const offset = shape.offset ?? 0;
    // Points of several series at one time come in series order, as InfluxDB merges them.
    const tieBreak = [...scope.tags]
      .filter((tag) => !groupTags.includes(tag))
      .sort()
      .map(sqlIdent);
    const timeOrder = [`"time"${direction}`, ...tieBreak].join(', ');
    if (pushLimit && groupOrder.length > 0) {
      // LIMIT and OFFSET count per series in InfluxQL.
      const rank = `row_number() OVER (PARTITION BY ${groupOrder.join(', ')} ORDER BY ${timeOrder})`;
      sql += ` QUALIFY ${rank} > ${offset}`;
      if (shape.limit !== undefined) sql += ` AND ${rank} <= ${offset + shape.limit}`;
    }
    sql += ` ORDER BY ${[...groupOrder, timeOrder].join(', ')}`;
    if (pushLimit && groupOrder.length === 0) {
      if (shape.limit !== undefined) sql += ` LIMIT ${shape.limit}`;
      if (offset > 0) sql += ` OFFSET ${offset}`;
    }
    return { sql, types, limited: pushLimit };
  }
  const time =
    shape.interval !== undefined
      ? bucketSql(shape.interval)
      : shape.projections.loneSelector
        ? compiled.selectorTime!
        : 'CAST(NULL AS BIGINT)';
  // A lone selector's time is itself an aggregate; otherwise rows group by bucket (or none) and series.
  const timeIsAggregate = shape.interval === undefined && shape.projections.loneSelector;
  const keys = timeIsAggregate ? groupOrder : ['"__time"', ...groupOrder];
  const distinct = mode === 'distinct' ? ['"__v0"'] : [];
  const groupBy = [...keys, ...distinct];
  let sql = `${select(time)}${where}`;
  if (groupBy.length > 0) sql += ` GROUP BY ${groupBy.join(', ')}`;
  // Without groups an aggregate over no rows is still one row; InfluxQL answers none.
  sql += ` HAVING count(*) > 0 ORDER BY ${[...groupOrder, '"__time"', ...distinct].join(', ')}`;
  return { sql, types, limited: false };
}

function whereClause(shape: SelectShape, scope: MeasurementScope, fields: ReadonlySet<string>): string {
  const parts: string[] = [];
  if (shape.range.lower !== undefined) parts.push(`"time" >= ${sqlInstant(shape.range.lower)}`);
  if (shape.range.upper !== undefined) parts.push(`"time" <= ${sqlInstant(shape.range.upper)}`);
  if (shape.condition !== undefined) parts.push(conditionSql(shape.condition, scope, shape.ctx));
  // A point with none of the fields read is no row (raw) and in no group (aggregates).
  parts.push(`(${[...fields].map((field) => `${sqlIdent(field)} IS NOT NULL`).join(' OR ')})`);
  return ` WHERE ${parts.join(' AND ')}`;
}

interface CompiledColumns {
  values: SqlValue[];
  /** The fields of this measurement the statement reads. */
  fields: Set<string>;
  selectorTime?: string;
}

function compileColumns(shape: SelectShape, scope: MeasurementScope): CompiledColumns {
  const { columns, mode } = shape.projections;
  const fields = new Set<string>();
  const note = (value: SqlValue) => {
    for (const field of value.fields) fields.add(field);
    return value;
  };
  if (mode === 'raw' || mode === 'integral') {
    const values = columns.map((column) => note(valueSql(rawExpr(column), scope)));
    return { values, fields };
  }
  const aux = columns.flatMap((column) => (column.kind === 'aux' ? [resolveVar(column.expr, scope).sql] : []));
  let selectorTime: string | undefined;
  let auxValues: string[] = [];
  const aggregates = columns.map((column) => {
    if (column.kind === 'aux') return undefined;
    const expr = column.kind === 'transform' ? column.inner : column.kind === 'value' ? column.expr : undefined;
    return note(
      aggregateExpr(expr!, scope, aux, (time, values) => {
        selectorTime = time;
        auxValues = values;
      }),
    );
  });
  let next = 0;
  const values = columns.map((column, i): SqlValue => {
    if (column.kind !== 'aux') return aggregates[i]!;
    const resolved = resolveVar(column.expr, scope);
    return { sql: auxValues[next++] ?? 'NULL', type: resolved.type, fields: [] };
  });
  return selectorTime === undefined ? { values, fields } : { values, fields, selectorTime };
}

function rawExpr(column: Projection): Expr {
  if (column.kind === 'value') return column.expr;
  if (column.kind === 'transform') return column.inner;
  if (column.kind === 'integral') return column.field;
  return column.expr;
}

/** An expression over aggregate calls and literals, in SQL. */
function aggregateExpr(
  expr: Expr,
  scope: MeasurementScope,
  aux: string[],
  onSelector: (time: string | undefined, aux: string[]) => void,
): SqlValue {
  switch (expr.kind) {
    case 'paren':
      return aggregateExpr(expr.expr, scope, aux, onSelector);
    case 'binary':
      return arithmetic(
        expr.op,
        aggregateExpr(expr.lhs, scope, aux, onSelector),
        aggregateExpr(expr.rhs, scope, aux, onSelector),
      );
    case 'call':
      return callSql(expr, scope, aux, onSelector);
    case 'number':
    case 'integer':
    case 'duration':
      return valueSql(expr, scope);
    default:
      throw new InfluxqlError('mixing aggregate and non-aggregate queries is not supported');
  }
}

function callSql(
  call: Extract<Expr, { kind: 'call' }>,
  scope: MeasurementScope,
  aux: string[],
  onSelector: (time: string | undefined, aux: string[]) => void,
): SqlValue {
  const first = unparen(call.args[0]!);
  const distinct = call.name === 'count' && first.kind === 'call';
  const ref = distinct ? fieldArgument(first as Extract<Expr, { kind: 'call' }>) : fieldArgument(call);
  const field = resolveVar(ref, scope);
  if (field.type === 'tag' || field.type === 'null') return { sql: 'NULL', type: 'null', fields: [] };
  const spec = functionSpec(call.name)!;
  if (!acceptsType(spec, field.type)) {
    throw new InfluxqlError(`${call.name}() is not defined for ${field.type} fields such as '${ref.name}'`);
  }
  if (call.name === 'distinct') return { sql: field.sql, type: field.type, fields: field.fields };
  const extra = call.args[1];
  const percentile =
    extra !== undefined && (extra.kind === 'number' || extra.kind === 'integer') ? Number(extra.value) : undefined;
  const options = percentile === undefined ? { distinct, aux } : { distinct, aux, percentile };
  const compiled = aggregateSql(call.name, field.sql, field.type, options);
  if (compiled.time !== undefined) onSelector(compiled.time, compiled.aux ?? []);
  return { sql: compiled.value, type: compiled.type, fields: field.fields };
}
