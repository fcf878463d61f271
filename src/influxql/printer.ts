import type { Dimension, Expr, Field, Fill, SelectStatement, Source, Statement, TagKeyFilter } from './ast.ts';
import { PRECEDENCE } from './operators.ts';

/**
 * Prints a statement back as InfluxQL text that our parser and InfluxDB 1.x's both read as the
 * same tree: every identifier quoted (so no keyword or odd character changes its meaning), strings
 * and regexes escaped, numbers written so they lex as the same kind of literal, and parentheses only
 * where the tree has them (or where precedence would otherwise regroup it).
 */
export function printStatement(statement: Statement): string {
  switch (statement.kind) {
    case 'select':
      return printSelect(statement);
    case 'explain':
      return `EXPLAIN ${statement.analyze ? 'ANALYZE ' : ''}${statement.verbose ? 'VERBOSE ' : ''}${printSelect(statement.statement)}`;
    case 'show_databases':
      return 'SHOW DATABASES';
    case 'show_retention_policies':
      return `SHOW RETENTION POLICIES${on(statement.database)}`;
    case 'show_measurements': {
      let text = `SHOW MEASUREMENTS${on(statement.database)}`;
      const filter = statement.measurement;
      if (filter !== undefined) {
        text += ` WITH MEASUREMENT ${filter.op === '=' ? `= ${quoteIdent(filter.name)}` : `=~ ${printRegex(filter.regex)}`}`;
      }
      return text + where(statement.condition) + limitOffset(statement);
    }
    case 'show_tag_keys':
      return `SHOW TAG KEYS${on(statement.database)}${from(statement.sources)}${where(statement.condition)}${limitOffset(statement)}`;
    case 'show_tag_values':
      return (
        `SHOW TAG VALUES${on(statement.database)}${from(statement.sources)} WITH KEY ${printKeyFilter(statement.key)}` +
        `${where(statement.condition)}${limitOffset(statement)}`
      );
    case 'show_field_keys':
      return `SHOW FIELD KEYS${on(statement.database)}${from(statement.sources)}${limitOffset(statement)}`;
    case 'unsupported':
      throw new Error(`${statement.name} has no InfluxQL form to print`);
  }
}

/** `"name"`: `\`, `"` and newlines escaped as InfluxQL's scanner reads them. */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** `'text'`: `\`, `'` and newlines escaped. */
export function quoteString(text: string): string {
  return `'${escapeQuoted(text, "'")}'`;
}

function escapeQuoted(text: string, quote: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

/**
 * `/source/`. The scanner turns `\/` into `/` and keeps every other `\x` pair as written, so a
 * source (which never holds a lone `\` before `/`) round-trips by escaping each `/`.
 */
export function printRegex(source: string): string {
  return `/${source.replaceAll('/', '\\/')}/`;
}

function printSelect(statement: SelectStatement): string {
  let text = `SELECT ${statement.fields.map(printField).join(', ')}${from(statement.sources)}`;
  text += where(statement.condition);
  if (statement.dimensions.length > 0) text += ` GROUP BY ${statement.dimensions.map(printDimension).join(', ')}`;
  if (statement.fill !== undefined) text += ` fill(${printFill(statement.fill)})`;
  if (statement.descending) text += ' ORDER BY time DESC';
  text += limitOffset(statement);
  if (statement.timezone !== undefined) text += ` tz(${quoteString(statement.timezone)})`;
  return text;
}

function printField(field: Field): string {
  const expr = printExpr(field.expr);
  return field.alias === undefined ? expr : `${expr} AS ${quoteIdent(field.alias)}`;
}

function printSource(source: Source): string {
  if (source.kind === 'subquery') return `(${printSelect(source.statement)})`;
  const last = source.regex !== undefined ? printRegex(source.regex) : quoteIdent(source.name ?? '');
  const db = source.database === undefined ? '' : quoteIdent(source.database);
  const rp = source.retentionPolicy === undefined ? '' : quoteIdent(source.retentionPolicy);
  if (db !== '') return `${db}.${rp}.${last}`;
  if (rp !== '') return `${rp}.${last}`;
  return last;
}

function printDimension(dimension: Dimension): string {
  switch (dimension.kind) {
    case 'time':
      return dimension.offset === 0n
        ? `time(${printDuration(dimension.interval)})`
        : `time(${printDuration(dimension.interval)}, ${printDuration(dimension.offset)})`;
    case 'tag':
      return quoteIdent(dimension.name);
    case 'regex':
      return printRegex(dimension.source);
    case 'wildcard':
      return '*';
  }
}

function printFill(fill: Fill): string {
  if (fill.kind !== 'value') return fill.kind;
  return Number.isInteger(fill.value) ? printInteger(BigInt(fill.value)) : printNumber(fill.value);
}

function printKeyFilter(key: TagKeyFilter): string {
  switch (key.op) {
    case '=':
    case '!=':
      return `${key.op} ${quoteIdent(key.name)}`;
    case '=~':
    case '!~':
      return `${key.op} ${printRegex(key.regex)}`;
    case 'IN':
      return `IN (${key.names.map(quoteIdent).join(', ')})`;
  }
}

/** The binding strength of an expression as an operand: a binary's operator's, anything else binds tightest. */
function strength(expr: Expr): number {
  return expr.kind === 'binary' && !isNegation(expr) ? PRECEDENCE[expr.op] : 6;
}

/** `-x` on a name, call or parenthesis parses as `-1 * x` at the sign's position; it prints back as `-x`. */
function isNegation(expr: Extract<Expr, { kind: 'binary' }>): boolean {
  return (
    expr.op === '*' &&
    expr.lhs.kind === 'integer' &&
    expr.lhs.value === -1n &&
    expr.lhs.pos === expr.pos &&
    (expr.rhs.kind === 'var' || expr.rhs.kind === 'call' || expr.rhs.kind === 'paren')
  );
}

export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'var': {
      const name = quoteIdent(expr.name);
      return expr.type === undefined ? name : `${name}::${expr.type}`;
    }
    case 'call':
      return `${expr.name}(${expr.args.map(printExpr).join(', ')})`;
    case 'binary': {
      if (isNegation(expr)) return `-${printExpr(expr.rhs)}`;
      const precedence = PRECEDENCE[expr.op];
      const lhs = printExpr(expr.lhs);
      const rhs = printExpr(expr.rhs);
      const left = strength(expr.lhs) < precedence ? `(${lhs})` : lhs;
      const right = strength(expr.rhs) <= precedence ? `(${rhs})` : rhs;
      return `${left} ${expr.op} ${right}`;
    }
    case 'paren':
      return `(${printExpr(expr.expr)})`;
    case 'number':
      return printNumber(expr.value);
    case 'integer':
      return printInteger(expr.value);
    case 'string':
      return quoteString(expr.value);
    case 'boolean':
      return expr.value ? 'true' : 'false';
    case 'duration':
      return printDuration(expr.value);
    case 'regex':
      return printRegex(expr.source);
    case 'wildcard':
      return expr.type === undefined ? '*' : `*::${expr.type}`;
    case 'distinct':
      return `DISTINCT ${quoteIdent(expr.name)}`;
  }
}

function printInteger(value: bigint): string {
  return String(value);
}

/** A float literal that scans as a float: always with a decimal point, never an exponent. */
export function printNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`${value} has no InfluxQL literal`);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  const text = String(magnitude);
  const exponent = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  let plain: string;
  if (exponent === null) {
    plain = text;
  } else {
    const digits = exponent[1]! + (exponent[2] ?? '');
    const point = 1 + Number(exponent[3]);
    plain =
      point <= 0
        ? `0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? digits + '0'.repeat(point - digits.length)
          : `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  return sign + (plain.includes('.') ? plain : `${plain}.0`);
}

const UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['w', 604_800_000_000_000n],
  ['d', 86_400_000_000_000n],
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
  ['u', 1_000n],
  ['ns', 1n],
];

/** A duration in its largest whole unit (`90m`, `1500ms`), as InfluxDB formats durations. */
export function printDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const magnitude = ns < 0n ? -ns : ns;
  const [unit, size] = UNITS.find(([, size]) => magnitude % size === 0n)!;
  return `${sign}${magnitude / size}${unit}`;
}

function on(database: string | undefined): string {
  return database === undefined ? '' : ` ON ${quoteIdent(database)}`;
}

function from(sources: readonly Source[]): string {
  return sources.length === 0 ? '' : ` FROM ${sources.map(printSource).join(', ')}`;
}

function where(condition: Expr | undefined): string {
  return condition === undefined ? '' : ` WHERE ${printExpr(condition)}`;
}

function limitOffset(statement: { limit?: number; offset?: number }): string {
  return `${statement.limit === undefined ? '' : ` LIMIT ${statement.limit}`}${statement.offset === undefined ? '' : ` OFFSET ${statement.offset}`}`;
}
