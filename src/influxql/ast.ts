/** The InfluxQL syntax tree the parser builds. Positions are offsets into the query text. */

export type VarType = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean' | 'field' | 'tag';

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '&'
  | '|'
  | '^'
  | 'AND'
  | 'OR'
  | '='
  | '!='
  | '=~'
  | '!~'
  | '<'
  | '<='
  | '>'
  | '>=';

export type Expr =
  | { kind: 'var'; name: string; type?: VarType; pos: number }
  | { kind: 'call'; name: string; args: Expr[]; pos: number }
  | { kind: 'binary'; op: BinaryOp; lhs: Expr; rhs: Expr; pos: number }
  | { kind: 'paren'; expr: Expr; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'integer'; value: bigint; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  /** Nanoseconds. */
  | { kind: 'duration'; value: bigint; pos: number }
  | { kind: 'regex'; source: string; pos: number }
  | { kind: 'wildcard'; type?: 'field' | 'tag'; pos: number }
  /** `DISTINCT x` without parentheses. */
  | { kind: 'distinct'; name: string; pos: number };

export interface Field {
  expr: Expr;
  alias?: string;
}

export type Source =
  | {
      kind: 'measurement';
      database?: string;
      retentionPolicy?: string;
      /** Exactly one of name and regex. */
      name?: string;
      regex?: string;
      pos: number;
    }
  | { kind: 'subquery'; statement: SelectStatement; pos: number };

export type Dimension =
  | { kind: 'time'; interval: bigint; offset: bigint; pos: number }
  | { kind: 'tag'; name: string; pos: number }
  | { kind: 'regex'; source: string; pos: number }
  | { kind: 'wildcard'; pos: number };

export type Fill =
  | { kind: 'null' }
  | { kind: 'none' }
  | { kind: 'previous' }
  | { kind: 'linear' }
  | { kind: 'value'; value: number };

export interface SelectStatement {
  kind: 'select';
  fields: Field[];
  sources: Source[];
  condition?: Expr;
  dimensions: Dimension[];
  /** Absent: InfluxQL's default, which is fill(null). */
  fill?: Fill;
  descending: boolean;
  limit?: number;
  offset?: number;
  timezone?: string;
  pos: number;
}

export type TagKeyFilter =
  | { op: '=' | '!='; name: string }
  | { op: '=~' | '!~'; regex: string }
  | { op: 'IN'; names: string[] };

export type MeasurementFilter = { op: '='; name: string } | { op: '=~'; regex: string };

export type Statement =
  | SelectStatement
  | { kind: 'explain'; analyze: boolean; verbose: boolean; statement: SelectStatement; pos: number }
  | { kind: 'show_databases'; pos: number }
  | { kind: 'show_retention_policies'; database?: string; pos: number }
  | {
      kind: 'show_measurements';
      database?: string;
      measurement?: MeasurementFilter;
      condition?: Expr;
      limit?: number;
      offset?: number;
      pos: number;
    }
  | {
      kind: 'show_tag_keys';
      database?: string;
      sources: Source[];
      condition?: Expr;
      limit?: number;
      offset?: number;
      pos: number;
    }
  | {
      kind: 'show_tag_values';
      database?: string;
      sources: Source[];
      key: TagKeyFilter;
      condition?: Expr;
      limit?: number;
      offset?: number;
      pos: number;
    }
  | { kind: 'show_field_keys'; database?: string; sources: Source[]; limit?: number; offset?: number; pos: number }
  /** A statement InfluxQL has but fluxgate (like InfluxDB 3) does not run, by name: `SHOW SERIES`, `DROP MEASUREMENT`… */
  | { kind: 'unsupported'; name: string; pos: number };
