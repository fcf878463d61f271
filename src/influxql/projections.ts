import type { FieldType } from '../storage/lineprotocol/types.ts';
import { byteOrder } from '../support/byte-order.ts';
import type { Expr, Field, SelectStatement } from './ast.ts';
import { InfluxqlError, outsideInfluxql3 } from './errors.ts';
import { acceptsType, defaultUnitNs, type FunctionSpec, functionSpec, isRefusedFunction } from './functions.ts';
import { nameMatcher } from './regex.ts';
import { unparen } from './time-condition.ts';
import type { Transform } from './transforms.ts';

/** The fields and tags a statement can see: the union over the measurements it reads. */
export interface UnionSchema {
  fields: ReadonlyMap<string, FieldType>;
  tags: ReadonlySet<string>;
}

/** One output column of a SELECT, before it meets a measurement. */
export type Projection =
  /** A raw value (raw statements) or an expression over aggregates (aggregate statements). */
  | { kind: 'value'; name: string; expr: Expr }
  /** A transformation of a raw field or of an aggregate per bucket. */
  | { kind: 'transform'; name: string; transform: Transform; inner: Expr }
  /** A tag or field a lone selector reports from its chosen point. */
  | { kind: 'aux'; name: string; expr: Extract<Expr, { kind: 'var' }> }
  | { kind: 'integral'; name: string; field: Extract<Expr, { kind: 'var' }>; unitNs: bigint };

export interface Projections {
  mode: 'raw' | 'aggregate' | 'distinct' | 'integral';
  timeColumn: string;
  columns: Projection[];
  /** The one selector of the statement, when its time becomes the row's time. */
  loneSelector: boolean;
}

type Call = Extract<Expr, { kind: 'call' }>;
type VarRef = Extract<Expr, { kind: 'var' }>;

/**
 * Expands wildcards and regexes, checks every function call, decides the statement's mode and
 * names the columns as InfluxDB does (`mean`, `mean_1`, `count_usage`, `a_b` for `a + b`).
 */
export function planProjections(
  statement: SelectStatement,
  schema: UnionSchema,
  excludedTags: ReadonlySet<string>,
  hasInterval: boolean,
): Projections {
  let timeColumn = 'time';
  const fields: Field[] = [];
  for (const field of statement.fields) {
    if (field.expr.kind === 'var' && field.expr.name === 'time' && field.expr.type === undefined) {
      if (field.alias !== undefined) timeColumn = field.alias;
      continue;
    }
    fields.push(...expandField(field, schema, excludedTags));
  }
  if (fields.length === 0) throw new InfluxqlError('at least 1 non-time field must be queried');
  const names = columnNames(fields);
  const calls = fields.flatMap((field) => callsIn(field.expr));
  for (const call of calls) checkCall(call);
  const aggregates = calls.filter((call) => functionSpec(call.name)!.kind !== 'transform');

  if (aggregates.length === 0) {
    if (hasInterval) throw new InfluxqlError('GROUP BY requires at least one aggregate function');
    for (const field of fields) {
      if (topTransform(field.expr) === undefined && callsIn(field.expr).length > 0) {
        throw new InfluxqlError('a transformation such as derivative() must be the outermost function of its field');
      }
    }
    const transforms = fields.filter((field) => topTransform(field.expr) !== undefined);
    if (transforms.length > 0 && transforms.length < fields.length) {
      throw new InfluxqlError('mixing aggregate and non-aggregate queries is not supported');
    }
    const columns = fields.map((field, i): Projection => {
      const call = topTransform(field.expr);
      if (call === undefined) return { kind: 'value', name: names[i]!, expr: field.expr };
      const inner = call.args[0]!;
      if (unparen(inner).kind !== 'var') throw new InfluxqlError(`expected field argument in ${call.name}()`);
      return { kind: 'transform', name: names[i]!, transform: transformOf(call), inner };
    });
    return { mode: 'raw', timeColumn, columns, loneSelector: false };
  }

  if (aggregates.some((call) => call.name === 'distinct') && !aggregates.every(isCountDistinctArg(calls))) {
    if (fields.length !== 1 || aggregates.length !== 1 || unparen(fields[0]!.expr).kind !== 'call') {
      throw new InfluxqlError('aggregate function distinct() cannot be combined with other functions or fields');
    }
    return {
      mode: 'distinct',
      timeColumn,
      columns: [{ kind: 'value', name: names[0]!, expr: fields[0]!.expr }],
      loneSelector: false,
    };
  }

  if (aggregates.some((call) => call.name === 'integral')) {
    const integrals = fields.map((field, i): Projection => {
      const call = unparen(field.expr);
      if (call.kind !== 'call' || call.name !== 'integral') {
        throw new InfluxqlError('integral() cannot be combined with other functions or fields in fluxgate');
      }
      return { kind: 'integral', name: names[i]!, field: fieldArgument(call), unitNs: unitOf(call) };
    });
    return { mode: 'integral', timeColumn, columns: integrals, loneSelector: false };
  }

  const selectors = aggregates.filter((call) => functionSpec(call.name)!.kind === 'selector');
  const loneSelector = aggregates.length === 1 && selectors.length === 1;
  const columns = fields.map((field, i): Projection => {
    const expr = unparen(field.expr);
    if (expr.kind === 'var') {
      if (!loneSelector) throw new InfluxqlError('mixing aggregate and non-aggregate queries is not supported');
      return { kind: 'aux', name: names[i]!, expr };
    }
    const transform = topTransform(field.expr);
    if (transform !== undefined) {
      if (!hasInterval) throw new InfluxqlError(`${transform.name} aggregate requires a GROUP BY interval`);
      const inner = transform.args[0]!;
      if (callsIn(inner).length === 0)
        throw new InfluxqlError(`aggregate function required inside the call to ${transform.name}`);
      return { kind: 'transform', name: names[i]!, transform: transformOf(transform), inner };
    }
    if (callsIn(field.expr).some((call) => functionSpec(call.name)!.kind === 'transform')) {
      throw new InfluxqlError('a transformation such as derivative() must be the outermost function of its field');
    }
    if (varsOutsideCalls(field.expr))
      throw new InfluxqlError('mixing aggregate and non-aggregate queries is not supported');
    return { kind: 'value', name: names[i]!, expr: field.expr };
  });
  return { mode: 'aggregate', timeColumn, columns, loneSelector: loneSelector && !hasInterval };
}

/** `*`, `*::field`, `/regex/` in the select list, and `fn(*)`, `fn(/regex/)` calls, one field each. */
function expandField(field: Field, schema: UnionSchema, excludedTags: ReadonlySet<string>): Field[] {
  const expr = field.expr;
  if (expr.kind === 'wildcard' || expr.kind === 'regex') {
    const matches = expr.kind === 'regex' ? nameMatcher(expr.source) : () => true;
    const names = new Set<string>();
    if (expr.kind === 'regex' || expr.type !== 'tag') for (const name of schema.fields.keys()) names.add(name);
    if (expr.kind === 'regex' || expr.type !== 'field') {
      for (const name of schema.tags) if (!excludedTags.has(name)) names.add(name);
    }
    return [...names]
      .filter(matches)
      .sort(byteOrder)
      .map((name) => ({ expr: { kind: 'var', name, pos: expr.pos } }));
  }
  if (expr.kind === 'distinct') return [{ ...field, expr: distinctCall(expr.name, expr.pos) }];
  if (expr.kind === 'call') {
    const arg = expr.args[0];
    if (arg !== undefined && (arg.kind === 'wildcard' || arg.kind === 'regex')) {
      const spec = functionSpec(expr.name);
      const matches = arg.kind === 'regex' ? nameMatcher(arg.source) : () => true;
      return [...schema.fields.entries()]
        .filter(([name, type]) => matches(name) && (spec === undefined || acceptsType(spec, type)))
        .sort(([a], [b]) => byteOrder(a, b))
        .map(([name]) => ({
          expr: { ...expr, args: [{ kind: 'var', name, pos: arg.pos } as Expr, ...expr.args.slice(1)] },
          alias: `${field.alias ?? expr.name}_${name}`,
        }));
    }
  }
  return [field];
}

function distinctCall(name: string, pos: number): Call {
  return { kind: 'call', name: 'distinct', args: [{ kind: 'var', name, pos }], pos };
}

function checkCall(call: Call): void {
  const spec = functionSpec(call.name);
  if (spec === undefined) {
    // InfluxDB 3's own wording for these, which clients already match on.
    if (isRefusedFunction(call.name)) throw new InfluxqlError(outsideInfluxql3(`${call.name}()`));
    throw new InfluxqlError(`undefined function ${call.name}()`);
  }
  const [first, ...extra] = call.args;
  if (first === undefined)
    throw new InfluxqlError(`invalid number of arguments for ${call.name}, expected at least 1, got 0`);
  const innerIsCall = unparen(first).kind === 'call';
  if (spec.kind !== 'transform' && !(call.name === 'count' && innerIsCall)) fieldArgument(call);
  if (call.name === 'count' && innerIsCall) {
    const inner = unparen(first) as Call;
    if (inner.name !== 'distinct') throw new InfluxqlError('expected field argument in count()');
  }
  checkExtra(call, spec, extra);
}

function checkExtra(call: Call, spec: FunctionSpec, extra: Expr[]): void {
  const count = 1 + extra.length;
  const wrong = (expected: string) =>
    new InfluxqlError(`invalid number of arguments for ${call.name}, expected ${expected}, got ${count}`);
  switch (spec.extra) {
    case 'none':
      if (extra.length > 0) throw wrong('1');
      return;
    case 'duration?':
      if (extra.length > 1) throw wrong('1 or 2');
      if (extra.length === 1 && extra[0]!.kind !== 'duration') {
        throw new InfluxqlError(`second argument to ${call.name} must be a duration`);
      }
      return;
    case 'number': {
      if (extra.length !== 1) throw wrong('2');
      const p = extra[0]!;
      if (p.kind !== 'number' && p.kind !== 'integer')
        throw new InfluxqlError(`expected float argument in ${call.name}()`);
      const value = Number(p.value);
      if (value < 0 || value > 100) throw new InfluxqlError(`percentile must be between 0 and 100, got ${value}`);
      return;
    }
    case 'integer': {
      if (extra.length !== 1) throw wrong('2');
      const n = extra[0]!;
      if (n.kind !== 'integer' || n.value < 1n) {
        throw new InfluxqlError(`second argument for ${call.name} must be a positive integer`);
      }
    }
  }
}

/** The field an aggregate reads: a variable reference (after expansion). */
export function fieldArgument(call: Call): VarRef {
  const arg = call.args[0] === undefined ? undefined : unparen(call.args[0]);
  if (arg?.kind !== 'var') throw new InfluxqlError(`expected field argument in ${call.name}()`);
  return arg;
}

function transformOf(call: Call): Transform {
  const extra = call.args[1];
  return {
    name: call.name,
    unitNs: extra?.kind === 'duration' ? extra.value : defaultUnitNs(call.name),
    points: extra?.kind === 'integer' ? Number(extra.value) : 1,
  };
}

function unitOf(call: Call): bigint {
  const extra = call.args[1];
  return extra?.kind === 'duration' ? extra.value : defaultUnitNs(call.name);
}

function topTransform(expr: Expr): Call | undefined {
  const inner = unparen(expr);
  return inner.kind === 'call' && functionSpec(inner.name)?.kind === 'transform' ? inner : undefined;
}

function isCountDistinctArg(all: Call[]): (call: Call) => boolean {
  const wrapped = new Set<Call>();
  for (const call of all) {
    const arg = call.args[0] === undefined ? undefined : unparen(call.args[0]);
    if (call.name === 'count' && arg?.kind === 'call' && arg.name === 'distinct') wrapped.add(arg);
  }
  return (call) => call.name !== 'distinct' || wrapped.has(call);
}

/** Every function call in an expression, outer calls before the calls in their arguments. */
export function callsIn(expr: Expr): Call[] {
  switch (expr.kind) {
    case 'call':
      return [expr, ...expr.args.flatMap(callsIn)];
    case 'binary':
      return [...callsIn(expr.lhs), ...callsIn(expr.rhs)];
    case 'paren':
      return callsIn(expr.expr);
    default:
      return [];
  }
}

function varsOutsideCalls(expr: Expr): boolean {
  switch (expr.kind) {
    case 'var':
      return true;
    case 'binary':
      return varsOutsideCalls(expr.lhs) || varsOutsideCalls(expr.rhs);
    case 'paren':
      return varsOutsideCalls(expr.expr);
    default:
      return false;
  }
}

/** InfluxDB's column names: the alias, else the call's name, else the variables' and calls' names joined by `_`; clashes get `_1`, `_2`. */
export function columnNames(fields: readonly Field[]): string[] {
  const names: string[] = new Array(fields.length).fill('');
  const seen = new Map<string, number>();
  fields.forEach((field, i) => {
    if (field.alias !== undefined) {
      names[i] = field.alias;
      seen.set(field.alias, 1);
    }
  });
  fields.forEach((field, i) => {
    if (field.alias !== undefined) return;
    let name = baseName(field.expr);
    let count = seen.get(name);
    if (count !== undefined) {
      for (;;) {
        const candidate = `${name}_${count}`;
        if (!seen.has(candidate)) {
          seen.set(name, count + 1);
          name = candidate;
          break;
        }
        count++;
      }
    }
    seen.set(name, (seen.get(name) ?? 0) + 1);
    names[i] = name;
  });
  return names;
}

function baseName(expr: Expr): string {
  switch (expr.kind) {
    case 'call':
      return expr.name;
    case 'var':
      return expr.name;
    case 'paren':
      return baseName(expr.expr);
    case 'binary':
      return binaryNames(expr).join('_');
    default:
      return '';
  }
}

function binaryNames(expr: Expr): string[] {
  switch (expr.kind) {
    case 'var':
    case 'call':
      return [expr.name];
    case 'paren':
      return binaryNames(expr.expr);
    case 'binary':
      return [...binaryNames(expr.lhs), ...binaryNames(expr.rhs)];
    default:
      return [];
  }
}
