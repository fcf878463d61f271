import type {
  BinaryOp,
  Dimension,
  Expr,
  Field,
  Fill,
  MeasurementFilter,
  SelectStatement,
  Source,
  Statement,
  TagKeyFilter,
  VarType,
} from './ast.ts';
import { parseDurationNs } from './durations.ts';
import { InfluxqlSyntaxError, Lexer, linePosition, type Token } from './lexer.ts';
import { isBinaryOp, PRECEDENCE } from './operators.ts';
import { compileRegex } from './regex.ts';

/** Bound parameters (`$name`) and their values, substituted as literals while parsing. */
export type StatementParams = Readonly<Record<string, unknown>>;

/** A statement and the text it was parsed from (for EXPLAIN and error messages). */
export interface ParsedStatement {
  statement: Statement;
  text: string;
}

/** A parse failure; `message` names the position as InfluxDB does: `… at line 1, char 8`. */
export class InfluxqlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxqlParseError';
  }
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '!=', '=~', '!~', '<', '<=', '>', '>=', 'AND', 'OR']);

const VAR_TYPES: Readonly<Record<string, VarType>> = {
  float: 'float',
  integer: 'integer',
  unsigned: 'unsigned',
  string: 'string',
  boolean: 'boolean',
};

/** Statement prefixes InfluxQL knows but fluxgate does not run: refused by name, per statement. */
const UNSUPPORTED_PREFIXES: ReadonlyArray<readonly string[]> = [
  ['SHOW', 'SERIES', 'EXACT', 'CARDINALITY'],
  ['SHOW', 'SERIES', 'CARDINALITY'],
  ['SHOW', 'SERIES'],
  ['SHOW', 'MEASUREMENT', 'EXACT', 'CARDINALITY'],
  ['SHOW', 'MEASUREMENT', 'CARDINALITY'],
  ['SHOW', 'TAG', 'KEY', 'EXACT', 'CARDINALITY'],
  ['SHOW', 'TAG', 'KEY', 'CARDINALITY'],
  ['SHOW', 'TAG', 'VALUES', 'EXACT', 'CARDINALITY'],
  ['SHOW', 'TAG', 'VALUES', 'CARDINALITY'],
  ['SHOW', 'FIELD', 'KEY', 'EXACT', 'CARDINALITY'],
  ['SHOW', 'FIELD', 'KEY', 'CARDINALITY'],
  ['SHOW', 'CONTINUOUS', 'QUERIES'],
  ['SHOW', 'SHARD', 'GROUPS'],
  ['SHOW', 'SHARDS'],
  ['SHOW', 'STATS'],
  ['SHOW', 'DIAGNOSTICS'],
  ['SHOW', 'SUBSCRIPTIONS'],
  ['SHOW', 'USERS'],
  ['SHOW', 'GRANTS'],
  ['SHOW', 'QUERIES'],
  ['CREATE', 'DATABASE'],
  ['CREATE', 'RETENTION', 'POLICY'],
  ['CREATE', 'CONTINUOUS', 'QUERY'],
  ['CREATE', 'SUBSCRIPTION'],
  ['CREATE', 'USER'],
  ['DROP', 'DATABASE'],
  ['DROP', 'MEASUREMENT'],
  ['DROP', 'SERIES'],
  ['DROP', 'SHARD'],
  ['DROP', 'RETENTION', 'POLICY'],
  ['DROP', 'CONTINUOUS', 'QUERY'],
  ['DROP', 'SUBSCRIPTION'],
  ['DROP', 'USER'],
  ['ALTER', 'RETENTION', 'POLICY'],
  ['SET', 'PASSWORD'],
  ['KILL', 'QUERY'],
  ['DELETE'],
  ['GRANT'],
  ['REVOKE'],
];

const STATEMENT_STARTS = ['SELECT', 'DELETE', 'SHOW', 'CREATE', 'DROP', 'EXPLAIN', 'GRANT', 'REVOKE', 'ALTER', 'KILL'];

/**
 * Parses `;`-separated InfluxQL statements. A syntax error anywhere fails the whole query, as in
 * InfluxDB; statements fluxgate does not run parse into `unsupported` so each fails on its own.
 */
export function parseQuery(text: string, params: StatementParams = {}): ParsedStatement[] {
  const parser = new Parser(text, params);
  try {
    return parser.statements();
  } catch (error) {
    if (error instanceof InfluxqlSyntaxError) {
      const { line, char } = linePosition(text, error.pos);
      throw new InfluxqlParseError(`${error.message} at line ${line}, char ${char}`);
    }
    throw error;
  }
}

class Parser {
  private readonly lexer: Lexer;

  constructor(
    private readonly text: string,
    private readonly params: StatementParams,
  ) {
    this.lexer = new Lexer(text);
  }

  statements(): ParsedStatement[] {
    const parsed: ParsedStatement[] = [];
    let needSeparator = false;
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind === 'eof') return parsed;
      if (this.isPunct(token, ';')) {
        this.lexer.next();
        needSeparator = false;
        continue;
      }
      if (needSeparator) this.fail(token, [';']);
      const start = token.pos;
      const statement = this.statement();
      parsed.push({ statement, text: this.text.slice(start, this.lexer.position).trim() });
      needSeparator = true;
    }
  }

  private statement(): Statement {
    const token = this.lexer.peek();
    const unsupported = this.unsupportedPrefix();
    if (unsupported !== undefined) {
      this.skipStatement();
      return { kind: 'unsupported', name: unsupported, pos: token.pos };
    }
    if (this.isKeyword(token, 'SELECT')) {
      this.lexer.next();
      try {
        return this.select(token.pos, false);
      } catch (error) {
        if (!(error instanceof IntoFound)) throw error;
        this.skipStatement();
        return { kind: 'unsupported', name: 'SELECT INTO', pos: token.pos };
      }
    }
    if (this.isKeyword(token, 'EXPLAIN')) return this.explain();
    if (this.isKeyword(token, 'SHOW')) return this.show();
    return this.fail(token, STATEMENT_STARTS);
  }

  private unsupportedPrefix(): string | undefined {
    const start = this.lexer.position;
    const words: string[] = [];
    for (let i = 0; i < 5; i++) {
      const token = this.lexer.next();
      if (token.kind !== 'keyword') break;
      words.push(token.text);
    }
    this.lexer.reset(start);
    const prefix = UNSUPPORTED_PREFIXES.find((candidate) => candidate.every((word, i) => words[i] === word));
    return prefix?.join(' ');
  }

  /** Skips to the `;` ending this statement (strings and quoted names are whole tokens). */
  private skipStatement(): void {
    for (;;) {
      const start = this.lexer.position;
      let token: Token;
      try {
        token = this.lexer.next();
      } catch {
        // An unsupported statement may use syntax our scanner does not know (e.g. `WITH PASSWORD` values).
        this.lexer.reset(start + 1);
        continue;
      }
      if (token.kind === 'eof' || this.isPunct(token, ';')) {
        this.lexer.reset(token.pos);
        return;
      }
    }
  }

  private explain(): Statement {
    const explain = this.lexer.next();
    const analyze = this.acceptKeyword('ANALYZE');
    const verbose = this.acceptKeyword('VERBOSE');
    const select = this.expectKeyword('SELECT');
    return { kind: 'explain', analyze, verbose, statement: this.select(select.pos, false), pos: explain.pos };
  }

  private select(pos: number, subquery: boolean): SelectStatement {
    const fields = this.fields();
    const into = this.lexer.peek();
    if (this.isKeyword(into, 'INTO')) {
      if (subquery) this.fail(into, ['FROM']);
      throw new IntoFound(into.pos);
    }
    this.expectKeyword('FROM');
    const sources = this.sources(true);
    const condition = this.condition();
    const dimensions = this.dimensions();
    const fill = this.fill();
    const descending = this.orderBy();
    const limit = this.optionalInteger('LIMIT');
    const offset = this.optionalInteger('OFFSET');
    for (const keyword of ['SLIMIT', 'SOFFSET']) {
      const token = this.lexer.peek();
      if (this.isKeyword(token, keyword)) {
        throw new InfluxqlSyntaxError(`${keyword} is not supported (InfluxDB 3 does not support it either)`, token.pos);
      }
    }
    const timezone = this.timezone();
    const statement: SelectStatement = { kind: 'select', fields, sources, dimensions, descending, pos };
    if (condition !== undefined) statement.condition = condition;
    if (fill !== undefined) statement.fill = fill;
    if (limit !== undefined) statement.limit = limit;
    if (offset !== undefined) statement.offset = offset;
    if (timezone !== undefined) statement.timezone = timezone;
    return statement;
  }

  private fields(): Field[] {
    const fields: Field[] = [];
    do {
      const regex = this.regex();
      let expr: Expr;
      if (regex !== undefined) {
        expr = regex;
      } else {
        const start = this.lexer.peek();
        expr = this.expr();
        const bad = findComparison(expr);
        if (bad !== undefined) {
          const { line, char } = linePosition(this.text, start.pos);
          throw new InfluxqlParseError(
            `invalid operator ${bad} in SELECT clause at line ${line}, char ${char}; operator is intended for WHERE clause`,
          );
        }
      }
      const field: Field = { expr };
      if (this.acceptKeyword('AS')) field.alias = this.ident();
      fields.push(field);
    } while (this.acceptPunct(','));
    return fields;
  }

  private sources(subqueries: boolean): Source[] {
    const sources: Source[] = [];
    do sources.push(this.source(subqueries));
    while (this.acceptPunct(','));
    return sources;
  }

  private source(subqueries: boolean): Source {
    const regex = this.regex();
    if (regex !== undefined) return { kind: 'measurement', regex: regex.source, pos: regex.pos };
    const next = this.lexer.peek();
    if (subqueries && this.isPunct(next, '(')) {
      this.lexer.next();
      const select = this.expectKeyword('SELECT');
      const statement = this.select(select.pos, true);
      this.expectPunct(')');
      return { kind: 'subquery', statement, pos: next.pos };
    }
    const segments = this.segmentedIdents();
    const source: Source = { kind: 'measurement', pos: next.pos };
    if (segments.length === 3) {
      const [database, retentionPolicy, name] = segments as [string, string, string];
      if (database !== '') source.database = database;
      if (retentionPolicy !== '') source.retentionPolicy = retentionPolicy;
      source.name = name;
      return source;
    }
    const trailing = this.regex();
    if (trailing !== undefined) {
      source.regex = trailing.source;
      if (segments.length === 2 && segments[0] !== '') source.database = segments[0];
      const rp = segments[segments.length - 1];
      if (rp !== undefined && rp !== '') source.retentionPolicy = rp;
      return source;
    }
    if (segments.length === 2) {
      if (segments[0] !== '') source.retentionPolicy = segments[0];
      source.name = segments[1];
    } else {
      source.name = segments[0];
    }
    if (source.name === '') this.fail(this.lexer.peek(), ['identifier']);
    return source;
  }

  /** `db.rp.m`, `db..m`, `rp.m`, `m`; a trailing `.` before a regex ends the list. */
  private segmentedIdents(): string[] {
    const segments = [this.ident()];
    while (this.lexer.immediately('.')) {
      this.lexer.next();
      if (this.lexer.immediately('/')) break;
      if (this.lexer.immediately('.')) {
        segments.push('');
        continue;
      }
      segments.push(this.ident());
    }
    if (segments.length > 3) {
      throw new InfluxqlSyntaxError(`too many segments in ${segments.join('.')}`, this.lexer.position);
    }
    return segments;
  }

  private condition(): Expr | undefined {
    return this.acceptKeyword('WHERE') ? this.expr() : undefined;
  }

  private dimensions(): Dimension[] {
    if (!this.acceptKeyword('GROUP')) return [];
    this.expectKeyword('BY');
    const dimensions: Dimension[] = [];
    do dimensions.push(this.dimension());
    while (this.acceptPunct(','));
    return dimensions;
  }

  private dimension(): Dimension {
    const regex = this.regex();
    if (regex !== undefined) return { kind: 'regex', source: regex.source, pos: regex.pos };
    const token = this.lexer.peek();
    const expr = this.expr();
    if (expr.kind === 'wildcard' && expr.type === undefined) return { kind: 'wildcard', pos: expr.pos };
    if (expr.kind === 'var' && expr.type === undefined) return { kind: 'tag', name: expr.name, pos: expr.pos };
    if (expr.kind === 'call' && expr.name === 'time') return this.timeDimension(expr);
    throw new InfluxqlSyntaxError('only time() calls allowed in dimensions', token.pos);
  }

  private timeDimension(call: Extract<Expr, { kind: 'call' }>): Dimension {
    const [interval, offset, ...rest] = call.args;
    if (interval === undefined || rest.length > 0) {
      throw new InfluxqlSyntaxError('time dimension expected 1 or 2 arguments', call.pos);
    }
    if (interval.kind !== 'duration')
      throw new InfluxqlSyntaxError('time dimension must have duration argument', call.pos);
    if (interval.value <= 0n) throw new InfluxqlSyntaxError('time dimension must have a positive duration', call.pos);
    let offsetNs = 0n;
    if (offset !== undefined) {
      if (offset.kind !== 'duration') {
        throw new InfluxqlSyntaxError('time dimension offset must be a duration', offset.pos);
      }
      offsetNs = offset.value;
    }
    return { kind: 'time', interval: interval.value, offset: offsetNs, pos: call.pos };
  }

  private fill(): Fill | undefined {
    const token = this.lexer.peek();
    if (token.kind !== 'ident' || token.text.toLowerCase() !== 'fill') return undefined;
    const expr = this.expr();
    if (expr.kind !== 'call') throw new InfluxqlSyntaxError('fill must be a function call', token.pos);
    const [argument, ...rest] = expr.args;
    if (argument === undefined || rest.length > 0) {
      throw new InfluxqlSyntaxError('fill requires an argument, e.g.: 0, null, none, previous, linear', token.pos);
    }
    if (argument.kind === 'var' && argument.type === undefined) {
      const option = argument.name.toLowerCase();
      if (option === 'null' || option === 'none' || option === 'previous' || option === 'linear')
        return { kind: option };
    }
    if (argument.kind === 'integer') return { kind: 'value', value: Number(argument.value) };
    if (argument.kind === 'number') return { kind: 'value', value: argument.value };
    throw new InfluxqlSyntaxError('expected number argument in fill()', argument.pos);
  }

  /** `ORDER BY time [ASC|DESC]` or `ORDER BY ASC|DESC`; true when descending. */
  private orderBy(): boolean {
    if (!this.acceptKeyword('ORDER')) return false;
    this.expectKeyword('BY');
    const token = this.lexer.next();
    let descending = false;
    if (this.isKeyword(token, 'ASC') || this.isKeyword(token, 'DESC')) {
      descending = token.text === 'DESC';
    } else if (token.kind === 'ident') {
      if (token.text !== 'time') throw new InfluxqlSyntaxError('only ORDER BY time supported at this time', token.pos);
      if (this.acceptKeyword('DESC')) descending = true;
      else this.acceptKeyword('ASC');
    } else {
      this.fail(token, ['identifier', 'ASC', 'DESC']);
    }
    const more = this.lexer.peek();
    if (this.isPunct(more, ',')) throw new InfluxqlSyntaxError('only ORDER BY time supported at this time', more.pos);
    return descending;
  }

  private optionalInteger(keyword: string): number | undefined {
    if (!this.acceptKeyword(keyword)) return undefined;
    const token = this.lexer.next();
    if (token.kind !== 'integer') this.fail(token, ['integer']);
    const value = Number(token.text);
    if (!Number.isSafeInteger(value)) throw new InfluxqlSyntaxError(`${keyword} is too large`, token.pos);
    return value;
  }

  private timezone(): string | undefined {
    const token = this.lexer.peek();
    if (token.kind !== 'ident' || token.text.toLowerCase() !== 'tz') return undefined;
    const expr = this.expr();
    if (expr.kind !== 'call') throw new InfluxqlSyntaxError('tz must be a function call', token.pos);
    if (expr.args.length !== 1) throw new InfluxqlSyntaxError('tz requires exactly one argument', token.pos);
    const name = expr.args[0]!;
    if (name.kind !== 'string') throw new InfluxqlSyntaxError('expected string argument in tz()', name.pos);
    if (!isKnownTimeZone(name.value)) throw new InfluxqlSyntaxError(`unable to find time zone ${name.value}`, name.pos);
    return name.value;
  }

  private show(): Statement {
    const show = this.lexer.next();
    const token = this.lexer.next();
    const word = token.kind === 'keyword' ? token.text : '';
    switch (word) {
      case 'DATABASES':
        return { kind: 'show_databases', pos: show.pos };
      case 'RETENTION': {
        this.expectKeyword('POLICIES');
        const database = this.acceptKeyword('ON') ? this.ident() : undefined;
        return database === undefined
          ? { kind: 'show_retention_policies', pos: show.pos }
          : { kind: 'show_retention_policies', database, pos: show.pos };
      }
      case 'MEASUREMENTS':
        return this.showMeasurements(show.pos);
      case 'TAG': {
        const next = this.lexer.next();
        if (this.isKeyword(next, 'KEYS')) return this.showTagKeys(show.pos);
        if (this.isKeyword(next, 'VALUES')) return this.showTagValues(show.pos);
        return this.fail(next, ['KEYS', 'VALUES']);
      }
      case 'FIELD': {
        this.expectKeyword('KEYS');
        const database = this.onDatabase();
        const sources = this.acceptKeyword('FROM') ? this.sources(false) : [];
        const statement: Statement = { kind: 'show_field_keys', sources, pos: show.pos };
        if (database !== undefined) statement.database = database;
        this.limitOffset(statement);
        return statement;
      }
      default:
        return this.fail(token, [
          'DATABASES',
          'FIELD KEYS',
          'MEASUREMENTS',
          'RETENTION POLICIES',
          'TAG KEYS',
          'TAG VALUES',
        ]);
    }
  }

  private showMeasurements(pos: number): Statement {
    const statement: Extract<Statement, { kind: 'show_measurements' }> = { kind: 'show_measurements', pos };
    const database = this.onDatabase();
    if (database !== undefined) statement.database = database;
    if (this.acceptKeyword('WITH')) {
      this.expectKeyword('MEASUREMENT');
      const op = this.lexer.next();
      if (!(op.kind === 'operator' && (op.text === '=' || op.text === '=~'))) this.fail(op, ['=', '=~']);
      const source = this.source(false);
      if (source.kind !== 'measurement') throw new InfluxqlSyntaxError('expected a measurement', source.pos);
      let filter: MeasurementFilter;
      if (op.text === '=~') {
        if (source.regex === undefined) throw new InfluxqlSyntaxError('expected regex but got string', source.pos);
        filter = { op: '=~', regex: source.regex };
      } else {
        if (source.name === undefined) throw new InfluxqlSyntaxError('expected string but got regex', source.pos);
        filter = { op: '=', name: source.name };
      }
      statement.measurement = filter;
    }
    const condition = this.condition();
    if (condition !== undefined) statement.condition = condition;
    this.limitOffset(statement);
    return statement;
  }

  private showTagKeys(pos: number): Statement {
    const statement: Extract<Statement, { kind: 'show_tag_keys' }> = { kind: 'show_tag_keys', sources: [], pos };
    const database = this.onDatabase();
    if (database !== undefined) statement.database = database;
    if (this.acceptKeyword('FROM')) statement.sources = this.sources(false);
    const condition = this.condition();
    if (condition !== undefined) statement.condition = condition;
    this.limitOffset(statement);
    return statement;
  }

  private showTagValues(pos: number): Statement {
    const database = this.onDatabase();
    const sources = this.acceptKeyword('FROM') ? this.sources(false) : [];
    this.expectKeyword('WITH');
    this.expectKeyword('KEY');
    const op = this.lexer.next();
    let key: TagKeyFilter;
    if (this.isKeyword(op, 'IN')) {
      this.expectPunct('(');
      const names = [this.ident()];
      while (this.acceptPunct(',')) names.push(this.ident());
      this.expectPunct(')');
      key = { op: 'IN', names };
    } else if (op.kind === 'operator' && (op.text === '=' || op.text === '!=')) {
      key = { op: op.text, name: this.ident() };
    } else if (op.kind === 'operator' && (op.text === '=~' || op.text === '!~')) {
      const regex = this.regex();
      if (regex === undefined) return this.fail(this.lexer.peek(), ['regex']);
      key = { op: op.text, regex: regex.source };
    } else {
      return this.fail(op, ['IN', '=', '=~']);
    }
    const statement: Extract<Statement, { kind: 'show_tag_values' }> = { kind: 'show_tag_values', sources, key, pos };
    if (database !== undefined) statement.database = database;
    const condition = this.condition();
    if (condition !== undefined) statement.condition = condition;
    this.limitOffset(statement);
    return statement;
  }

  private onDatabase(): string | undefined {
    return this.acceptKeyword('ON') ? this.ident() : undefined;
  }

  private limitOffset(statement: { limit?: number; offset?: number }): void {
    const limit = this.optionalInteger('LIMIT');
    const offset = this.optionalInteger('OFFSET');
    if (limit !== undefined) statement.limit = limit;
    if (offset !== undefined) statement.offset = offset;
  }

  // ---- expressions: precedence climbing as InfluxQL's own parser does ----

  expr(minPrecedence = 1): Expr {
    let lhs = this.unary();
    for (;;) {
      const token = this.lexer.peek();
      const op = binaryOperator(token);
      if (op === undefined) return lhs;
      const precedence = PRECEDENCE[op];
      if (precedence < minPrecedence) return lhs;
      this.lexer.next();
      let rhs: Expr;
      if (op === '=~' || op === '!~') {
        const regex = this.regex();
        if (regex === undefined) return this.fail(this.lexer.peek(), ['regex']);
        rhs = regex;
      } else {
        rhs = this.expr(precedence + 1);
      }
      lhs = { kind: 'binary', op, lhs, rhs, pos: token.pos };
    }
  }

  private unary(): Expr {
    const token = this.lexer.next();
    switch (token.kind) {
      case 'ident':
        if (this.lexer.immediately('(')) {
          this.lexer.next();
          return this.call(token.text.toLowerCase(), token.pos);
        }
        return this.varRef(token);
      case 'keyword':
        return this.keywordUnary(token);
      case 'string':
        return { kind: 'string', value: token.text, pos: token.pos };
      case 'number':
        return { kind: 'number', value: Number(token.text), pos: token.pos };
      case 'integer': {
        const value = BigInt(token.text);
        if (value > 2n ** 63n) throw new InfluxqlSyntaxError('unable to parse integer', token.pos);
        return { kind: 'integer', value, pos: token.pos };
      }
      case 'duration': {
        const value = parseDurationNs(token.text);
        if (value === undefined) throw new InfluxqlSyntaxError(`invalid duration ${token.text}`, token.pos);
        return { kind: 'duration', value, pos: token.pos };
      }
      case 'param':
        return this.param(token);
      case 'operator':
        if (token.text === '*') return this.wildcard(token);
        if (token.text === '-' || token.text === '+') return this.signed(token);
        return this.fail(token, ['identifier', 'string', 'number', 'bool']);
      case 'punctuation':
        if (token.text === '(') {
          const inner = this.expr();
          this.expectPunct(')');
          return { kind: 'paren', expr: inner, pos: token.pos };
        }
        return this.fail(token, ['identifier', 'string', 'number', 'bool']);
      case 'eof':
        return this.fail(token, ['identifier', 'string', 'number', 'bool']);
    }
  }

  private keywordUnary(token: Token): Expr {
    if (token.text === 'TRUE' || token.text === 'FALSE') {
      return { kind: 'boolean', value: token.text === 'TRUE', pos: token.pos };
    }
    if (token.text === 'DISTINCT') {
      if (this.lexer.immediately('(')) {
        this.lexer.next();
        return this.call('distinct', token.pos);
      }
      const name = this.lexer.next();
      if (name.kind !== 'ident') this.fail(name, ['identifier']);
      return { kind: 'distinct', name: name.text, pos: token.pos };
    }
    return this.fail(token, ['identifier', 'string', 'number', 'bool']);
  }

  private varRef(first: Token): Expr {
    let name = first.text;
    while (this.lexer.immediately('.')) {
      const dot = this.lexer.position;
      this.lexer.next();
      const next = this.lexer.next();
      if (next.kind !== 'ident' && next.kind !== 'keyword') {
        this.lexer.reset(dot);
        break;
      }
      name += `.${next.text}`;
    }
    const ref: Expr = { kind: 'var', name, pos: first.pos };
    if (this.lexer.immediately(':') && this.text[this.lexer.position + 1] === ':') {
      this.lexer.next();
      const type = this.lexer.next();
      const word = type.text.toLowerCase();
      if (type.kind === 'keyword' && (word === 'field' || word === 'tag')) ref.type = word;
      else if (type.kind === 'ident' && Object.hasOwn(VAR_TYPES, word)) ref.type = VAR_TYPES[word];
      else this.fail(type, ['float', 'integer', 'unsigned', 'string', 'boolean', 'field', 'tag']);
    }
    return ref;
  }

  private wildcard(token: Token): Expr {
    if (this.lexer.immediately(':') && this.text[this.lexer.position + 1] === ':') {
      this.lexer.next();
      const type = this.lexer.next();
      if (type.kind === 'keyword' && (type.text === 'FIELD' || type.text === 'TAG')) {
        return { kind: 'wildcard', type: type.text === 'FIELD' ? 'field' : 'tag', pos: token.pos };
      }
      this.fail(type, ['field', 'tag']);
    }
    return { kind: 'wildcard', pos: token.pos };
  }

  private signed(sign: Token): Expr {
    const next = this.lexer.peek();
    const allowed =
      next.kind === 'number' ||
      next.kind === 'integer' ||
      next.kind === 'duration' ||
      next.kind === 'ident' ||
      next.kind === 'param' ||
      this.isPunct(next, '(');
    if (!allowed) this.fail(next, ['identifier', 'number', 'duration', '(']);
    const operand = this.unary();
    if (sign.text === '+') return operand;
    switch (operand.kind) {
      case 'number':
        return { ...operand, value: -operand.value, pos: sign.pos };
      case 'integer':
        return { ...operand, value: -operand.value, pos: sign.pos };
      case 'duration':
        return { ...operand, value: -operand.value, pos: sign.pos };
      default:
        return {
          kind: 'binary',
          op: '*',
          lhs: { kind: 'integer', value: -1n, pos: sign.pos },
          rhs: operand,
          pos: sign.pos,
        };
    }
  }

  private call(name: string, pos: number): Expr {
    const args: Expr[] = [];
    if (this.acceptPunct(')')) return { kind: 'call', name, args, pos };
    do {
      const regex = this.regex();
      args.push(regex ?? this.expr());
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return { kind: 'call', name, args, pos };
  }

  private param(token: Token): Expr {
    if (token.text === '') throw new InfluxqlSyntaxError('empty bound parameter', token.pos);
    if (!Object.hasOwn(this.params, token.text)) {
      throw new InfluxqlSyntaxError(
        `Bind parameter '$${token.text}' was referenced in the InfluxQL statement but its value is undefined`,
        token.pos,
      );
    }
    const value = this.params[token.text];
    const pos = token.pos;
    if (typeof value === 'string') return { kind: 'string', value, pos };
    if (typeof value === 'boolean') return { kind: 'boolean', value, pos };
    if (typeof value === 'number' && Number.isSafeInteger(value)) return { kind: 'integer', value: BigInt(value), pos };
    if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value, pos };
    if (typeof value === 'bigint') return { kind: 'integer', value, pos };
    throw new InfluxqlSyntaxError(`bind parameter '$${token.text}' must be a string, number or boolean`, pos);
  }

  private regex(): Extract<Expr, { kind: 'regex' }> | undefined {
    const scanned = this.lexer.scanRegex();
    if (scanned === undefined) return undefined;
    const problem = compileRegex(scanned.source).error;
    if (problem !== undefined)
      throw new InfluxqlSyntaxError(`invalid regex /${scanned.source}/: ${problem}`, scanned.pos);
    return { kind: 'regex', source: scanned.source, pos: scanned.pos };
  }

  // ---- token helpers ----

  private ident(): string {
    const token = this.lexer.next();
    if (token.kind !== 'ident') this.fail(token, ['identifier']);
    return token.text;
  }

  private isKeyword(token: Token, word: string): boolean {
    return token.kind === 'keyword' && token.text === word;
  }

  private isPunct(token: Token, ch: string): boolean {
    return token.kind === 'punctuation' && token.text === ch;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.lexer.peek(), word)) return false;
    this.lexer.next();
    return true;
  }

  private acceptPunct(ch: string): boolean {
    if (!this.isPunct(this.lexer.peek(), ch)) return false;
    this.lexer.next();
    return true;
  }

  private expectKeyword(word: string): Token {
    const token = this.lexer.next();
    if (!this.isKeyword(token, word)) this.fail(token, [word]);
    return token;
  }

  private expectPunct(ch: string): Token {
    const token = this.lexer.next();
    if (!this.isPunct(token, ch)) this.fail(token, [ch]);
    return token;
  }

  private fail(token: Token, expected: readonly string[]): never {
    const found = token.kind === 'string' ? `'${token.text}'` : token.text;
    throw new InfluxqlSyntaxError(`found ${found}, expected ${expected.join(', ')}`, token.pos);
  }
}

/** `SELECT … INTO …`: a statement of its own kind, refused by name. */
class IntoFound extends Error {
  constructor(readonly pos: number) {
    super('SELECT INTO');
  }
}

function binaryOperator(token: Token): BinaryOp | undefined {
  if (token.kind === 'keyword' && (token.text === 'AND' || token.text === 'OR')) return token.text;
  if (token.kind === 'operator' && isBinaryOp(token.text)) return token.text;
  return undefined;
}

function findComparison(expr: Expr): string | undefined {
  switch (expr.kind) {
    case 'binary':
      if (COMPARISONS.has(expr.op)) return expr.op;
      return findComparison(expr.lhs) ?? findComparison(expr.rhs);
    case 'paren':
      return findComparison(expr.expr);
    case 'call':
      for (const arg of expr.args) {
        const found = findComparison(arg);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

const knownZones = new Map<string, boolean>();

export function isKnownTimeZone(name: string): boolean {
  let known = knownZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      known = name !== '';
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(name, known);
  }
  return known;
}
