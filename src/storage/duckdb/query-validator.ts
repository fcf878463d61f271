import { FluxgateError } from '../../domain/errors.ts';
import { isFunctionAllowed } from './function-allow-list.ts';
import { identifierKey } from './identifiers.ts';

export interface TableReference {
  catalog: string;
  schema: string;
  name: string;
}

export type TableVerdict = { kind: 'allowed'; columns: readonly string[] } | { kind: 'missing' } | { kind: 'outside' };

/** What a query may read: decides every table reference that is not a CTE. */
export interface QueryScope {
  classify(reference: TableReference): TableVerdict;
}

export interface ValidatedQuery {
  /** Allowed table references in the order met (CTE references excluded). */
  tables: Array<TableReference & { queryLocation: number }>;
  parameters: string[];
}

const QUERY_NODES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE']);

const TABLE_REFS = new Set([
  'BASE_TABLE',
  'JOIN',
  'SUBQUERY',
  'EXPRESSION_LIST',
  'EMPTY',
  'PIVOT',
  'TABLE_FUNCTION',
  'SHOW_REF',
  'COLUMN_DATA',
  'DELIM_GET',
  'BOUND_TABLE_REF',
]);

const EXPRESSIONS = new Set([
  'BETWEEN',
  'CASE',
  'CAST',
  'COLLATE',
  'COLUMN_REF',
  'COMPARISON',
  'CONJUNCTION',
  'CONSTANT',
  'FUNCTION',
  'LAMBDA',
  'LAMBDA_REF',
  'OPERATOR',
  'PARAMETER',
  'POSITIONAL_REFERENCE',
  'STAR',
  'SUBQUERY',
  'WINDOW',
]);

/**
 * Keywords the parser leaves as column references but the binder turns into function calls
 * when no column has the name (`SELECT current_user`). Harmless ones are not listed.
 */
const KEYWORD_FUNCTIONS = new Set([
  'current_catalog',
  'current_schema',
  'current_role',
  'current_user',
  'session_user',
  'user',
]);

/** A reference to a missing "table" that is really a file or URL DuckDB would scan. */
const LOOKS_LIKE_FILE = /[/\\:*?]|\.[A-Za-z0-9]+$/;

type Json = Record<string, unknown>;

function reject(message: string): never {
  throw new FluxgateError('QUERY_REJECTED', message);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function qualified(...parts: string[]): string {
  return parts.filter((part) => part.length > 0).join('.');
}

/**
 * Walks DuckDB's parse tree (`json_serialize_sql`) of one SELECT statement and refuses anything
 * outside an allow-list: unknown node kinds, table functions, SHOW/DESCRIBE, functions not on the
 * function allow-list, tables outside the scope, types from other catalogs. Every nested object is
 * visited, so a construct the walker does not know still has its functions and tables checked.
 * Throws QUERY_REJECTED, or QUERY_FAILED when the only problem is a table that does not exist.
 */
export function validateQueryTree(statement: unknown, scope: QueryScope): ValidatedQuery {
  const walker = new Walker(scope);
  if (!isObject(statement) || !isObject(statement.node)) reject('the query is not a SELECT statement');
  walker.visit(statement.node, new Set());
  return walker.finish();
}

class Walker {
  private readonly tables: ValidatedQuery['tables'] = [];
  private readonly columns = new Set<string>();
  private readonly missing: string[] = [];
  private readonly keywords: string[] = [];
  private readonly parameters = new Set<string>();

  constructor(private readonly scope: QueryScope) {}

  visit(value: unknown, ctes: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, ctes);
      return;
    }
    if (!isObject(value)) return;
    if (typeof value.class === 'string') {
      this.expression(value, ctes);
      return;
    }
    if (typeof value.type === 'string' && 'cte_map' in value) {
      this.queryNode(value, ctes);
      return;
    }
    if (typeof value.type === 'string' && TABLE_REFS.has(value.type) && 'query_location' in value) {
      this.tableRef(value, ctes);
      return;
    }
    if (value.type === 'UNBOUND_TYPE_INFO' || value.type === 'USER_TYPE_INFO') this.typeInfo(value);
    if ('function_name' in value) this.checkFunction(value);
    if ('table_name' in value) reject('the query uses a table reference this server does not support');
    this.children(value, ctes);
  }

  finish(): ValidatedQuery {
    const first = this.missing[0];
    if (first !== undefined) throw new FluxgateError('QUERY_FAILED', `table '${first}' does not exist`);
    for (const keyword of this.keywords) {
      if (!this.columns.has(identifierKey(keyword))) reject(`function '${keyword}' is not allowed`);
    }
    return { tables: this.tables, parameters: [...this.parameters] };
  }

  private children(node: Json, ctes: ReadonlySet<string>, skip?: string): void {
    for (const [key, child] of Object.entries(node)) {
      if (key !== skip && typeof child === 'object' && child !== null) this.visit(child, ctes);
    }
  }

  private expression(node: Json, ctes: ReadonlySet<string>): void {
    const kind = text(node.class);
    if (!EXPRESSIONS.has(kind)) reject(`expressions of kind ${kind} are not allowed`);
    if (kind === 'FUNCTION' || kind === 'WINDOW') this.checkFunction(node);
    if (kind === 'PARAMETER') this.parameters.add(text(node.identifier));
    if (kind === 'COLUMN_REF' && Array.isArray(node.column_names) && node.column_names.length === 1) {
      const name = text(node.column_names[0]);
      if (KEYWORD_FUNCTIONS.has(name.toLowerCase())) this.keywords.push(name);
    }
    this.children(node, ctes);
  }

  private queryNode(node: Json, outer: ReadonlySet<string>): void {
    const kind = text(node.type);
    if (!QUERY_NODES.has(kind)) reject(`${kind.replace(/_NODE$/, '')} queries are not allowed`);
    const ctes = new Set(outer);
    const map = isObject(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map : [];
    for (const entry of map) {
      if (!isObject(entry)) continue;
      this.visit(entry.value, ctes);
      ctes.add(identifierKey(text(entry.key)));
    }
    if (kind === 'RECURSIVE_CTE_NODE') ctes.add(identifierKey(text(node.cte_name)));
    this.children(node, ctes, 'cte_map');
  }

  private tableRef(node: Json, ctes: ReadonlySet<string>): void {
    const kind = text(node.type);
    switch (kind) {
      case 'BASE_TABLE':
        this.baseTable(node, ctes);
        break;
      case 'TABLE_FUNCTION': {
        const name = isObject(node.function) ? text(node.function.function_name) : '';
        reject(`table function '${name}' is not allowed`);
        break;
      }
      case 'SHOW_REF':
        reject('SHOW, DESCRIBE and SUMMARIZE are not allowed');
        break;
      case 'JOIN':
      case 'SUBQUERY':
      case 'EXPRESSION_LIST':
      case 'EMPTY':
      case 'PIVOT':
        break;
      default:
        reject(`table references of kind ${kind} are not allowed`);
    }
    this.children(node, ctes);
  }

  private baseTable(node: Json, ctes: ReadonlySet<string>): void {
    const reference = { catalog: text(node.catalog_name), schema: text(node.schema_name), name: text(node.table_name) };
    const name = qualified(reference.catalog, reference.schema, reference.name);
    if (reference.catalog === '' && reference.schema === '' && ctes.has(identifierKey(reference.name))) return;
    const verdict = this.scope.classify(reference);
    if (verdict.kind === 'outside') reject(`table '${name}' is outside this database`);
    if (verdict.kind === 'missing') {
      if (LOOKS_LIKE_FILE.test(reference.name)) reject(`reading files is not allowed ('${name}' is not a table)`);
      this.missing.push(name);
      return;
    }
    const queryLocation = typeof node.query_location === 'number' ? node.query_location : -1;
    this.tables.push({ ...reference, queryLocation });
    for (const column of verdict.columns) this.columns.add(identifierKey(column));
  }

  private checkFunction(node: Json): void {
    const name = text(node.function_name);
    const schema = text(node.schema);
    const catalog = text(node.catalog);
    if (catalog !== '' || (schema !== '' && schema.toLowerCase() !== 'main')) {
      reject(`function '${qualified(catalog, schema, name)}' is not allowed`);
    }
    if (!isFunctionAllowed(name)) reject(`function '${name}' is not allowed`);
  }

  private typeInfo(node: Json): void {
    const catalog = text(node.catalog);
    const schema = text(node.schema);
    if (catalog !== '' || schema !== '') {
      reject(`type '${qualified(catalog, schema, text(node.name))}' is outside this database`);
    }
  }
}
