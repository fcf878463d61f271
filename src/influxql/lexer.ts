/**
 * The InfluxQL scanner: keywords (case-insensitive), identifiers (bare or "quoted"), 'strings',
 * numbers, integers, durations (`10s`, `1h30m`), `$params`, operators and punctuation. Regular
 * expressions are scanned only where the grammar expects one (`scanRegex`), since `/` is also
 * division. Whitespace, `-- line` and `/* block *\/` comments separate tokens.
 */
export type TokenKind =
  | 'ident'
  | 'keyword'
  | 'string'
  | 'number'
  | 'integer'
  | 'duration'
  | 'param'
  | 'operator'
  | 'punctuation'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased; operators and punctuation as written; literals unescaped. */
  text: string;
  /** Offset of the token's first character in the query text. */
  pos: number;
  /** Offset just past the token. */
  end: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(
  `ALL ALTER ANALYZE ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE DATABASES DEFAULT DELETE DESC
   DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXACT EXPLAIN FIELD FOR FROM FUTURE GRANT GRANTS
   GROUP GROUPS IN INF INSERT INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS NAME OFFSET ON ORDER PASSWORD
   PAST POLICY POLICIES PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE RETENTION REVOKE SELECT SERIES SET
   SHOW SHARD SHARDS SLIMIT SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS TAG TO USER USERS VALUES VERBOSE WHERE
   WITH WRITE AND OR TRUE FALSE`
    .split(/\s+/)
    .filter(Boolean),
);

const OPERATORS = ['=~', '!~', '!=', '<>', '<=', '>=', '::', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^'];
const PUNCTUATION = new Set(['(', ')', ',', ';', '.', ':']);

export class InfluxqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'InfluxqlSyntaxError';
  }
}

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isIdentChar(ch: string): boolean {
  return isLetter(ch) || isDigit(ch) || ch === '_';
}

export class Lexer {
  private offset = 0;

  constructor(readonly text: string) {}

  get position(): number {
    return this.offset;
  }

  reset(position: number): void {
    this.offset = position;
  }

  /** The next token, after whitespace and comments. */
  next(): Token {
    this.skipBlank();
    return this.scan();
  }

  /** The next token without consuming it. */
  peek(): Token {
    const start = this.offset;
    const token = this.next();
    this.offset = start;
    return token;
  }

  /** Whether the next character (no whitespace skipped) is `ch`. */
  immediately(ch: string): boolean {
    return this.text[this.offset] === ch;
  }

  /** Whether the next non-blank character is `ch`. */
  nextCharIs(ch: string): boolean {
    const start = this.offset;
    this.skipBlank();
    const found = this.text[this.offset] === ch;
    this.offset = start;
    return found;
  }

  /** Scans `/regex/` at the next non-blank character; returns undefined if none starts there. */
  scanRegex(): { source: string; pos: number } | undefined {
    const start = this.offset;
    this.skipBlank();
    if (this.text[this.offset] !== '/') {
      this.offset = start;
      return undefined;
    }
    const pos = this.offset;
    let source = '';
    let i = pos + 1;
    for (;;) {
      const ch = this.text[i];
      if (ch === undefined || ch === '\n') throw new InfluxqlSyntaxError(`bad regex: ${source}`, pos);
      if (ch === '\\' && this.text[i + 1] === '/') {
        source += '/';
        i += 2;
        continue;
      }
      if (ch === '\\' && this.text[i + 1] !== undefined) {
        source += ch + this.text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '/') break;
      source += ch;
      i++;
    }
    this.offset = i + 1;
    return { source, pos };
  }

  private skipBlank(): void {
    const text = this.text;
    for (;;) {
      const ch = text[this.offset];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.offset++;
      } else if (ch === '-' && text[this.offset + 1] === '-') {
        const newline = text.indexOf('\n', this.offset);
        this.offset = newline < 0 ? text.length : newline + 1;
      } else if (ch === '/' && text[this.offset + 1] === '*') {
        const close = text.indexOf('*/', this.offset + 2);
        if (close < 0) throw new InfluxqlSyntaxError('unterminated comment', this.offset);
        this.offset = close + 2;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    const text = this.text;
    const pos = this.offset;
    const ch = text[pos];
    if (ch === undefined) return { kind: 'eof', text: 'EOF', pos, end: pos };
    if (isLetter(ch) || ch === '_') {
      let end = pos + 1;
      while (end < text.length && isIdentChar(text[end]!)) end++;
      const word = text.slice(pos, end);
      this.offset = end;
      const upper = word.toUpperCase();
      return KEYWORDS.has(upper) ? { kind: 'keyword', text: upper, pos, end } : { kind: 'ident', text: word, pos, end };
    }
    if (isDigit(ch) || (ch === '.' && isDigit(text[pos + 1] ?? ''))) return this.scanNumber(pos);
    if (ch === '"') return { ...this.scanQuoted('"', pos), kind: 'ident' };
    if (ch === "'") return { ...this.scanQuoted("'", pos), kind: 'string' };
    if (ch === '$') {
      let end = pos + 1;
      if (text[end] === '"') {
        const quoted = this.scanQuoted('"', end);
        return { kind: 'param', text: quoted.text, pos, end: quoted.end };
      }
      while (end < text.length && isIdentChar(text[end]!)) end++;
      this.offset = end;
      return { kind: 'param', text: text.slice(pos + 1, end), pos, end };
    }
    for (const op of OPERATORS) {
      if (text.startsWith(op, pos)) {
        this.offset = pos + op.length;
        return { kind: 'operator', text: op === '<>' ? '!=' : op, pos, end: this.offset };
      }
    }
    if (PUNCTUATION.has(ch)) {
      this.offset = pos + 1;
      return { kind: 'punctuation', text: ch, pos, end: pos + 1 };
    }
    throw new InfluxqlSyntaxError(`found ${ch}, expected a keyword, identifier, literal or operator`, pos);
  }

  private scanNumber(pos: number): Token {
    const text = this.text;
    let end = pos;
    while (isDigit(text[end] ?? '')) end++;
    let decimal = false;
    if (text[end] === '.' && isDigit(text[end + 1] ?? '')) {
      decimal = true;
      end++;
      while (isDigit(text[end] ?? '')) end++;
    }
    if (!decimal && (isLetter(text[end] ?? '') || text[end] === 'µ')) {
      while (isLetter(text[end] ?? '') || text[end] === 'µ' || isDigit(text[end] ?? '')) end++;
      this.offset = end;
      return { kind: 'duration', text: text.slice(pos, end), pos, end };
    }
    this.offset = end;
    return { kind: decimal ? 'number' : 'integer', text: text.slice(pos, end), pos, end };
  }

  /** A quoted identifier or string: `\\`, `\n`, `\'` and `\"` are its escapes. */
  private scanQuoted(quote: string, pos: number): { text: string; pos: number; end: number } {
    const text = this.text;
    let value = '';
    let i = pos + 1;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch === '\n') throw new InfluxqlSyntaxError(`found unterminated ${describe(quote)}`, pos);
      if (ch === quote) break;
      if (ch === '\\') {
        const escaped = text[i + 1];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === "'" || escaped === '"') value += escaped;
        else throw new InfluxqlSyntaxError(`bad escape: \\${escaped ?? ''}`, i);
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    this.offset = i + 1;
    return { text: value, pos, end: i + 1 };
  }
}

function describe(quote: string): string {
  return quote === '"' ? 'quoted identifier' : 'string';
}

/** `line L, char C` (both from 1) of an offset, as InfluxDB's errors name positions. */
export function linePosition(text: string, offset: number): { line: number; char: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, char: offset - lineStart + 1 };
}
