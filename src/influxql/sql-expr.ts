import type { FieldType } from '../storage/lineprotocol/types.ts';
import type { Expr } from './ast.ts';
import { InfluxqlError } from './errors.ts';
import { sqlFloat, sqlIdent, sqlInstant, sqlString } from './sql-text.ts';
import { instantOf, isTimeRef, type TimeContext, timeBound } from './time-condition.ts';

/** One measurement as a query sees it: its tag keys, typed fields and how SQL reads it. */
export interface MeasurementScope {
  name: string;
  tags: ReadonlySet<string>;
  fields: ReadonlyMap<string, FieldType>;
}

/** A value expression in SQL, with the InfluxQL type it has (`tag` for tag values). */
export interface SqlValue {
  sql: string;
  type: FieldType | 'tag' | 'null';
  /** The fields it reads, so a row with none of them can be left out. */
  fields: string[];
}

const NULL_VALUE: SqlValue = { sql: 'NULL', type: 'null', fields: [] };

/** A variable reference resolved against one measurement: field, tag, or nothing (NULL). */
export function resolveVar(ref: Extract<Expr, { kind: 'var' }>, scope: MeasurementScope): SqlValue {
  const fieldType = scope.fields.get(ref.name);
  const isTag = scope.tags.has(ref.name);
  const column = sqlIdent(ref.name);
  switch (ref.type) {
    case 'tag':
      return isTag ? { sql: column, type: 'tag', fields: [] } : NULL_VALUE;
    case 'field':
      return fieldType === undefined ? NULL_VALUE : { sql: column, type: fieldType, fields: [ref.name] };
    case undefined:
      if (fieldType !== undefined) return { sql: column, type: fieldType, fields: [ref.name] };
      return isTag ? { sql: column, type: 'tag', fields: [] } : NULL_VALUE;
    default:
      return fieldType === undefined ? NULL_VALUE : castField(column, ref.name, fieldType, ref.type);
  }
}

/** `field::float`, `::integer`, `::unsigned` cast numbers; a cast to another kind of type gives nothing. */
function castField(column: string, name: string, from: FieldType, to: string): SqlValue {
  const target: FieldType | undefined = to === 'unsigned' ? 'uinteger' : (to as FieldType);
  if (target === from) return { sql: column, type: from, fields: [name] };
  const numeric = (type: FieldType) => type === 'float' || type === 'integer' || type === 'uinteger';
  if (!numeric(from) || !numeric(target)) return NULL_VALUE;
  if (target === 'float') return { sql: `CAST(${column} AS DOUBLE)`, type: 'float', fields: [name] };
  const sqlType = target === 'integer' ? 'BIGINT' : 'UBIGINT';
  return { sql: `TRY_CAST(trunc(${column}) AS ${sqlType})`, type: target, fields: [name] };
}

/** A raw value expression: references, literals and arithmetic (no function calls). */
export function valueSql(expr: Expr, scope: MeasurementScope): SqlValue {
  switch (expr.kind) {
    case 'var':
      return resolveVar(expr, scope);
    case 'paren':
      return valueSql(expr.expr, scope);
    case 'number':
      return { sql: sqlFloat(expr.value), type: 'float', fields: [] };
    case 'integer':
      return { sql: `CAST(${expr.value} AS BIGINT)`, type: 'integer', fields: [] };
    case 'string':
      return { sql: sqlString(expr.value), type: 'string', fields: [] };
    case 'boolean':
      return { sql: expr.value ? 'TRUE' : 'FALSE', type: 'boolean', fields: [] };
    case 'duration':
      return { sql: `CAST(${expr.value} AS BIGINT)`, type: 'integer', fields: [] };
    case 'binary':
      return arithmetic(expr.op, valueSql(expr.lhs, scope), valueSql(expr.rhs, scope));
    default:
      throw new InfluxqlError(`unsupported expression in this position (${expr.kind})`);
  }
}

/** `+ - * / % & | ^` over numbers; InfluxQL divides integers as floats, as DuckDB's `/` does. */
export function arithmetic(op: string, lhs: SqlValue, rhs: SqlValue): SqlValue {
  const fields = [...lhs.fields, ...rhs.fields];
  const numeric = (type: SqlValue['type']) => type === 'float' || type === 'integer' || type === 'uinteger';
  if (!numeric(lhs.type) || !numeric(rhs.type)) return { sql: 'NULL', type: 'null', fields };
  const bitwise = op === '&' || op === '|' || op === '^';
  if (bitwise && (lhs.type === 'float' || rhs.type === 'float')) return { sql: 'NULL', type: 'null', fields };
  const type: FieldType = op === '/' || lhs.type === 'float' || rhs.type === 'float' ? 'float' : 'integer';
  if (op === '^') return { sql: `xor(${lhs.sql}, ${rhs.sql})`, type, fields };
  if (!['+', '-', '*', '/', '%', '&', '|'].includes(op)) {
    throw new InfluxqlError(`invalid operator ${op} in an arithmetic expression`);
  }
  return { sql: `(${lhs.sql} ${op} ${rhs.sql})`, type, fields };
}

/** A WHERE clause (time range already taken out, or not) as a SQL boolean over one measurement. */
export function conditionSql(expr: Expr, scope: MeasurementScope, ctx: TimeContext): string {
  switch (expr.kind) {
    case 'paren':
      return conditionSql(expr.expr, scope, ctx);
    case 'boolean':
      return expr.value ? 'TRUE' : 'FALSE';
    case 'var': {
      const value = resolveVar(expr, scope);
      if (value.type === 'boolean') return value.sql;
      throw new InfluxqlError(`invalid condition: ${expr.name} is not a boolean field`);
    }
    case 'binary':
      if (expr.op === 'AND' || expr.op === 'OR') {
        return `(${conditionSql(expr.lhs, scope, ctx)} ${expr.op} ${conditionSql(expr.rhs, scope, ctx)})`;
      }
      return comparisonSql(expr, scope, ctx);
    default:
      throw new InfluxqlError('invalid condition: expected a comparison');
  }
}

function comparisonSql(expr: Extract<Expr, { kind: 'binary' }>, scope: MeasurementScope, ctx: TimeContext): string {
  if (isTimeRef(expr.lhs) || isTimeRef(expr.rhs)) {
    const bound = timeBound(expr, ctx);
    if (bound !== undefined) return `"time" ${bound.op} ${sqlInstant(bound.ns)}`;
    if (expr.op === '!=') return `"time" <> ${sqlInstant(instantOf(isTimeRef(expr.lhs) ? expr.rhs : expr.lhs, ctx))}`;
    throw new InfluxqlError(`invalid time comparison with ${expr.op}`);
  }
  if (expr.op === '=~' || expr.op === '!~') {
    if (expr.rhs.kind !== 'regex') throw new InfluxqlError(`${expr.op} needs a regular expression on its right`);
    const match = regexSql(valueOperand(expr.lhs, scope), expr.rhs.source);
    return expr.op === '=~' ? match : `(NOT ${match})`;
  }
  let lhs = valueOperand(expr.lhs, scope);
  let rhs = valueOperand(expr.rhs, scope);
  let op: string = expr.op;
  const literal = (value: SqlValue) => value.fields.length === 0 && value.type !== 'tag' && value.type !== 'null';
  if (literal(lhs) && !literal(rhs)) {
    [lhs, rhs] = [rhs, lhs];
    op = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' }[op] ?? op;
  }
  const sqlOp = op === '!=' ? '<>' : op;
  if (lhs.type === 'tag' || lhs.type === 'null' || rhs.type === 'tag') return tagComparison(lhs, sqlOp, rhs);
  if (!comparable(lhs.type, rhs.type)) return 'FALSE';
  if ((lhs.type === 'boolean' || rhs.type === 'boolean') && sqlOp !== '=' && sqlOp !== '<>') return 'FALSE';
  return `(${lhs.sql} ${sqlOp} ${rhs.sql})`;
}

/** Operands of a comparison: a reference, a literal, or arithmetic; a bare regex only after =~. */
function valueOperand(expr: Expr, scope: MeasurementScope): SqlValue {
  if (expr.kind === 'call') throw new InfluxqlError(`invalid function call in condition: ${expr.name}()`);
  if (expr.kind === 'regex') throw new InfluxqlError('a regular expression needs =~ or !~');
  return valueSql(expr, scope);
}

function comparable(a: SqlValue['type'], b: SqlValue['type']): boolean {
  const group = (type: SqlValue['type']) =>
    type === 'float' || type === 'integer' || type === 'uinteger' ? 'number' : type;
  return group(a) === group(b);
}

/**
 * Tags compare as strings where a missing tag is the empty string, as in InfluxDB: `host = ''`
 * selects points without a host, `host != 'a'` includes them.
 */
function tagComparison(lhs: SqlValue, op: string, rhs: SqlValue): string {
  const asTag = (value: SqlValue) =>
    value.type === 'tag' || value.type === 'null' ? `coalesce(${value.sql}, '')` : undefined;
  const left = asTag(lhs);
  const right = asTag(rhs) ?? (rhs.type === 'string' ? rhs.sql : undefined);
  if (left === undefined || right === undefined) return 'FALSE';
  if (lhs.type === 'null' && rhs.type === 'string') {
    // A tag this measurement does not have: every point has the empty value.
    return `('' ${op} ${rhs.sql})`;
  }
  // The plain column compares the same and lets the engine skip row groups by their statistics.
  if (op === '=' && lhs.type === 'tag' && rhs.type === 'string' && rhs.sql !== "''") return `(${lhs.sql} = ${rhs.sql})`;
  return `(${left} ${op} ${right})`;
}

function regexSql(value: SqlValue, source: string): string {
  const pattern = sqlString(source);
  if (value.type === 'tag' || value.type === 'null') return `regexp_matches(coalesce(${value.sql}, ''), ${pattern})`;
  if (value.type === 'string') return `regexp_matches(${value.sql}, ${pattern})`;
  return 'FALSE';
}
