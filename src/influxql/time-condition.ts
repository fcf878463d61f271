import type { Expr } from './ast.ts';
import { InfluxqlError } from './errors.ts';
import { parseTimeString } from './time-literals.ts';

/** Inclusive bounds in nanoseconds; absent means unbounded. */
export interface TimeRange {
  lower?: bigint;
  upper?: bigint;
}

export interface TimeContext {
  nowNs: bigint;
  timezone?: string;
}

const FLIP: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' };
const MIN_NS = -(2n ** 63n) + 2n;
const MAX_NS = 2n ** 63n - 2n;

export function isTimeRef(expr: Expr): boolean {
  const inner = unparen(expr);
  return inner.kind === 'var' && inner.name.toLowerCase() === 'time';
}

export function unparen(expr: Expr): Expr {
  let current = expr;
  while (current.kind === 'paren') current = current.expr;
  return current;
}

/**
 * Splits a WHERE clause into the time range of its top-level `AND`ed time comparisons and the rest.
 * Time comparisons elsewhere (under OR, `!=`) stay in the rest, where SQL evaluates them.
 */
export function splitTimeRange(condition: Expr | undefined, ctx: TimeContext): { range: TimeRange; rest?: Expr } {
  const range: TimeRange = {};
  const rest: Expr[] = [];
  for (const conjunct of conjuncts(condition)) {
    const bound = timeBound(conjunct, ctx);
    if (bound === undefined) {
      rest.push(conjunct);
      continue;
    }
    const { op, ns } = bound;
    if (op === '>' || op === '>=' || op === '=') {
      const lower = op === '>' ? ns + 1n : ns;
      if (range.lower === undefined || lower > range.lower) range.lower = lower;
    }
    if (op === '<' || op === '<=' || op === '=') {
      const upper = op === '<' ? ns - 1n : ns;
      if (range.upper === undefined || upper < range.upper) range.upper = upper;
    }
  }
  const combined = rest.reduce<Expr | undefined>(
    (acc, expr) => (acc === undefined ? expr : { kind: 'binary', op: 'AND', lhs: acc, rhs: expr, pos: expr.pos }),
    undefined,
  );
  return combined === undefined ? { range } : { range, rest: combined };
}

function conjuncts(expr: Expr | undefined): Expr[] {
  if (expr === undefined) return [];
  const inner = unparen(expr);
  if (inner.kind === 'binary' && inner.op === 'AND') return [...conjuncts(inner.lhs), ...conjuncts(inner.rhs)];
  return [inner];
}

/** `time <op> <instant>` (either side) as a bound; undefined when the comparison is not of that form. */
export function timeBound(expr: Expr, ctx: TimeContext): { op: string; ns: bigint } | undefined {
  const inner = unparen(expr);
  if (inner.kind !== 'binary' || FLIP[inner.op] === undefined) return undefined;
  if (isTimeRef(inner.lhs)) {
    if (inner.op === '!=') return undefined;
    return { op: inner.op, ns: instantOf(inner.rhs, ctx) };
  }
  if (isTimeRef(inner.rhs)) {
    if (inner.op === '!=') return undefined;
    return { op: FLIP[inner.op]!, ns: instantOf(inner.lhs, ctx) };
  }
  return undefined;
}

/**
 * The instant a time expression names: `now()`, a time string, an integer or float of nanoseconds,
 * a duration since the epoch (`1700000000s`), and sums and differences of those with durations.
 */
export function instantOf(expr: Expr, ctx: TimeContext): bigint {
  const value = evaluate(expr, ctx);
  if (value < MIN_NS || value > MAX_NS) throw new InfluxqlError(`time ${value} is outside the range of timestamps`);
  return value;
}

function evaluate(expr: Expr, ctx: TimeContext): bigint {
  switch (expr.kind) {
    case 'paren':
      return evaluate(expr.expr, ctx);
    case 'call':
      if (expr.name === 'now' && expr.args.length === 0) return ctx.nowNs;
      throw new InfluxqlError(`invalid function call in time condition: ${expr.name}()`);
    case 'string': {
      const ns = parseTimeString(expr.value, ctx.timezone);
      if (ns === undefined) throw new InfluxqlError(`invalid time string '${expr.value}'`);
      return ns;
    }
    case 'integer':
    case 'duration':
      return expr.value;
    case 'number':
      return BigInt(Math.trunc(expr.value));
    case 'binary':
      if (expr.op === '+') return evaluate(expr.lhs, ctx) + evaluate(expr.rhs, ctx);
      if (expr.op === '-') return evaluate(expr.lhs, ctx) - evaluate(expr.rhs, ctx);
      throw new InfluxqlError(`invalid operator ${expr.op} in a time expression`);
    default:
      throw new InfluxqlError('invalid time comparison: compare time with now(), a time string or an integer');
  }
}
