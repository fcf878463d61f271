/**
 * The schema questions InfluxDB 3's SQL answers from its catalog: `SHOW TABLES`, `SHOW COLUMNS FROM t`
 * and simple SELECTs over `information_schema.tables` / `information_schema.columns`. Recognised here
 * so they are answered from the storage schema; anything else is not recognised and runs as SQL.
 */
export type SchemaView = 'tables' | 'columns';

export type SchemaStatement =
  | { kind: 'show_tables' }
  | { kind: 'show_columns'; table: string }
  | {
      kind: 'select';
      view: SchemaView;
      /** Column names, or undefined for `*`. */
      projection: string[] | undefined;
      /** `column = 'value'` conditions joined by AND. */
      conditions: Array<{ column: string; value: string }>;
    };

type Token =
  | { type: 'word'; text: string }
  | { type: 'ident'; text: string }
  | { type: 'string'; text: string }
  | {
      type: 'punct';
      text: string;
    };

/** The statement, or undefined when `sql` is anything else (it then runs the normal way). */
export function recogniseSchemaStatement(sql: string): SchemaStatement | undefined {
  const tokens = tokenize(sql);
  if (tokens === undefined) return undefined;
  while (tokens.length > 0 && isPunct(tokens[tokens.length - 1], ';')) tokens.pop();
  const reader = new TokenReader(tokens);
  const statement = reader.keyword('show') ? show(reader) : reader.keyword('select') ? select(reader) : undefined;
  return statement !== undefined && reader.done() ? statement : undefined;
}

function show(reader: TokenReader): SchemaStatement | undefined {
  if (reader.keyword('tables')) return { kind: 'show_tables' };
  if (!reader.keyword('columns')) return undefined;
  if (!reader.keyword('from') && !reader.keyword('in')) return undefined;
  const first = reader.name();
  if (first === undefined) return undefined;
  if (!reader.punct('.')) return { kind: 'show_columns', table: first };
  // Qualified: only the user tables' schema `iox` holds tables to describe.
  const table = reader.name();
  return first === 'iox' && table !== undefined ? { kind: 'show_columns', table } : undefined;
}

function select(reader: TokenReader): SchemaStatement | undefined {
  let projection: string[] | undefined;
  if (!reader.punct('*')) {
    projection = [];
    do {
      const column = reader.name();
      if (column === undefined) return undefined;
      projection.push(column);
    } while (reader.punct(','));
  }
  if (!reader.keyword('from') || reader.name() !== 'information_schema' || !reader.punct('.')) return undefined;
  const view = reader.name();
  if (view !== 'tables' && view !== 'columns') return undefined;
  const conditions: Array<{ column: string; value: string }> = [];
  if (reader.keyword('where')) {
    do {
      const column = reader.name();
      if (column === undefined || !reader.punct('=')) return undefined;
      const value = reader.string();
      if (value === undefined) return undefined;
      conditions.push({ column, value });
    } while (reader.keyword('and'));
  }
  return { kind: 'select', view, projection, conditions };
}

class TokenReader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.at === this.tokens.length;
  }

  keyword(word: string): boolean {
    const token = this.tokens[this.at];
    if (token?.type !== 'word' || token.text !== word) return false;
    this.at++;
    return true;
  }

  punct(text: string): boolean {
    if (!isPunct(this.tokens[this.at], text)) return false;
    this.at++;
    return true;
  }

  /** An identifier: unquoted words fold to lower case (as DataFusion does), quoted ones stay as written. */
  name(): string | undefined {
    const token = this.tokens[this.at];
    if (token?.type !== 'word' && token?.type !== 'ident') return undefined;
    this.at++;
    return token.text;
  }

  string(): string | undefined {
    const token = this.tokens[this.at];
    if (token?.type !== 'string') return undefined;
    this.at++;
    return token.text;
  }
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === 'punct' && token.text === text;
}

/** Words, "quoted identifiers", 'strings' and the punctuation these statements use; undefined on anything else. */
function tokenize(sql: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      tokens.push({ type: 'word', text: sql.slice(start, i).toLowerCase() });
    } else if (ch === '"' || ch === "'") {
      const quoted = readQuoted(sql, i, ch);
      if (quoted === undefined) return undefined;
      tokens.push({ type: ch === '"' ? 'ident' : 'string', text: quoted.text });
      i = quoted.end;
    } else if ('*,.=;'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch });
      i++;
    } else {
      return undefined;
    }
  }
  return tokens;
}

/** A quoted run from `start` (the opening quote); a doubled quote stands for one. */
function readQuoted(sql: string, start: number, quote: string): { text: string; end: number } | undefined {
  let text = '';
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return { text, end: i + 1 };
      text += quote;
      i += 2;
    } else {
      text += sql[i];
      i++;
    }
  }
  return undefined;
}
