import type { DuckDBConnection } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import { quoteLiteral } from './identifiers.ts';

/** The logical operators a SELECT may plan to: nothing writes, copies, attaches or sets. */
const SELECT_OPERATORS = new Set([
  'LOGICAL_PROJECTION',
  'LOGICAL_FILTER',
  'LOGICAL_AGGREGATE_AND_GROUP_BY',
  'LOGICAL_WINDOW',
  'LOGICAL_UNNEST',
  'LOGICAL_LIMIT',
  'LOGICAL_ORDER_BY',
  'LOGICAL_TOP_N',
  'LOGICAL_DISTINCT',
  'LOGICAL_SAMPLE',
  'LOGICAL_PIVOT',
  'LOGICAL_GET',
  'LOGICAL_CHUNK_GET',
  'LOGICAL_DELIM_GET',
  'LOGICAL_EXPRESSION_GET',
  'LOGICAL_DUMMY_SCAN',
  'LOGICAL_EMPTY_RESULT',
  'LOGICAL_CTE_REF',
  'LOGICAL_JOIN',
  'LOGICAL_DELIM_JOIN',
  'LOGICAL_COMPARISON_JOIN',
  'LOGICAL_ANY_JOIN',
  'LOGICAL_CROSS_PRODUCT',
  'LOGICAL_POSITIONAL_JOIN',
  'LOGICAL_ASOF_JOIN',
  'LOGICAL_DEPENDENT_JOIN',
  'LOGICAL_UNION',
  'LOGICAL_EXCEPT',
  'LOGICAL_INTERSECT',
  'LOGICAL_RECURSIVE_CTE',
  'LOGICAL_MATERIALIZED_CTE',
]);

/** Catalogs a bound plan may name besides the database's own: built-in functions and the connection's macros. */
const SHARED_CATALOGS = new Set(['', 'system', 'temp']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The second layer under the query validator, for databases sharing one DuckDB instance: binds the
 * statement (`json_serialize_plan`, which plans without running anything) and refuses it unless
 * every scan in the plan is a table scan of schema `main` in `catalog`, every catalog it names is
 * that one or a built-in one, and every operator is one a SELECT plans to. A plan DuckDB cannot
 * produce or serialize is refused too, so nothing runs unchecked.
 */
export async function checkPlan(connection: DuckDBConnection, catalog: string, sql: string): Promise<void> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_plan(${plannable(sql)})`);
  const serialized = reader.getRows()[0]?.[0];
  const plan: unknown = typeof serialized === 'string' ? JSON.parse(serialized) : undefined;
  if (!isObject(plan)) throw new FluxgateError('QUERY_FAILED', 'the query could not be planned');
  if (plan.error !== false) {
    const message = typeof plan.error_message === 'string' ? plan.error_message : 'the query could not be planned';
    throw new FluxgateError('QUERY_FAILED', message);
  }
  const outside = findOutside(plan.plans, catalog);
  if (outside !== undefined) {
    throw new FluxgateError('QUERY_REJECTED', `the query may read only its own database's tables (${outside})`);
  }
}

/** A PARAMETER expression of a serialized parse tree: flat, so no brace inside (a brace in its alias defeats it, and the plan is refused). */
const PARAMETER = String.raw`\{"class":"PARAMETER","type":"VALUE_PARAMETER"[^{}]*\}`;
const NULL_CONSTANT =
  '{"class":"CONSTANT","type":"VALUE_CONSTANT","alias":"","query_location":0,"value":{"type":{"id":"NULL","type_info":null},"is_null":true}}';
const PARAMETER_MAP = String.raw`"named_param_map":\[[^\]]*\]`;

/**
 * The statement to plan, as a SQL expression: the statement itself, or, when it may have
 * parameters, the statement with each replaced by NULL, edited in its serialized parse tree by
 * DuckDB itself (one round trip). DuckDB cannot serialize the plan of a statement with unbound
 * parameters, and which tables a plan scans does not depend on their values.
 */
function plannable(sql: string): string {
  if (!sql.includes('$') && !sql.includes('?')) return quoteLiteral(sql);
  const tree = `json_serialize_sql(${quoteLiteral(sql)})`;
  const withoutParameters = `regexp_replace(${tree}, ${quoteLiteral(PARAMETER)}, ${quoteLiteral(NULL_CONSTANT)}, 'g')`;
  const withoutMap = `regexp_replace(${withoutParameters}, ${quoteLiteral(PARAMETER_MAP)}, '"named_param_map":[]', 'g')`;
  return `json_deserialize_sql(${withoutMap})`;
}

/** The first thing in a serialized plan outside the database, described, or undefined. */
function findOutside(value: unknown, catalog: string): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findOutside(item, catalog);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const type = value.type;
  if (typeof type === 'string' && type.startsWith('LOGICAL_')) {
    if (!SELECT_OPERATORS.has(type)) return `a ${type} operator`;
    if (type === 'LOGICAL_GET') {
      const data = value.function_data;
      if (value.name !== 'seq_scan' || !isObject(data)) return `a scan of ${String(value.name)}`;
      if (data.catalog !== catalog || data.schema !== 'main') {
        return `a scan of ${String(data.catalog)}.${String(data.schema)}.${String(data.table)}`;
      }
    }
  }
  for (const key of ['catalog', 'catalog_name']) {
    const named = value[key];
    if (named !== undefined && named !== catalog && !(typeof named === 'string' && SHARED_CATALOGS.has(named))) {
      return `a reference to catalog ${String(named)}`;
    }
  }
  for (const child of Object.values(value)) {
    const found = findOutside(child, catalog);
    if (found !== undefined) return found;
  }
  return undefined;
}
