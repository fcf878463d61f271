import type { DuckDBConnection } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import type { SelectParser } from '../parse-cache.ts';
import { collect } from '../query-stream.ts';
import type { QueryResult, QueryStream, VirtualTable } from '../storage.ts';
import { identifierKey, quoteIdentifier } from './identifiers.ts';
import { installQueryMacros, openStatement } from './query-runner.ts';
import { type QueryScope, type ValidatedQuery, validateQueryTree } from './query-validator.ts';
import { openSandboxedInstance, type SandboxOptions } from './sandboxed-instance.ts';
import { stageRows, typeSupport } from './staged-rows.ts';

/** The catalog name DuckDB gives an in-memory database. */
const CATALOG = 'memory';

/**
 * Runs one validated SELECT over the given tables in a fresh sandboxed in-memory instance.
 * `system` is also the name of DuckDB's built-in catalog, so `system.tokens` would be ambiguous:
 * each table reference is made explicit by inserting `memory.` at its position in the SQL text,
 * and the rewritten SQL is parsed and validated again before it runs.
 */
export async function runVirtualQuery(
  parser: SelectParser,
  tables: readonly VirtualTable[],
  sql: string,
  params?: Record<string, unknown>,
): Promise<QueryResult> {
  return collect(await openVirtualQuery(parser, tables, sql, params ?? {}, undefined));
}

/** `runVirtualQuery` as a stream; the instance lives until the stream is closed. */
export async function openVirtualQuery(
  parser: SelectParser,
  tables: readonly VirtualTable[],
  sql: string,
  params: Record<string, unknown>,
  signal: AbortSignal | undefined,
  sizing: Pick<SandboxOptions, 'memoryLimit' | 'threads'> = {},
): Promise<QueryStream> {
  for (const table of tables) {
    for (const column of table.columns) {
      if (typeSupport(column.sqlType) === 'unsupported') {
        throw new FluxgateError(
          'INTERNAL',
          `virtual column ${table.schema}.${table.name}.${column.name} has unsupported type ${column.sqlType}`,
        );
      }
    }
  }
  const validated = validateQueryTree(await parser.parseSelect(sql), virtualScope(tables, false));
  const rewritten = qualifyReferences(sql, validated);
  const recheck = validateQueryTree(await parser.parseSelect(rewritten), virtualScope(tables, true));
  if (
    recheck.tables.length !== validated.tables.length ||
    recheck.tables.some((reference) => reference.catalog !== CATALOG)
  ) {
    throw new FluxgateError('QUERY_REJECTED', 'the query uses table references this server cannot resolve');
  }

  const instance = await openSandboxedInstance(':memory:', sizing);
  let connection: DuckDBConnection | undefined;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    connection?.closeSync();
    instance.closeSync();
  };
  try {
    connection = await instance.connect();
    await loadTables(connection, tables);
    await installQueryMacros(connection);
    return await openStatement(connection, rewritten, params, signal, release);
  } catch (error) {
    release();
    throw error;
  }
}

function virtualScope(tables: readonly VirtualTable[], qualified: boolean): QueryScope {
  const schemas = new Set(tables.map((table) => identifierKey(table.schema)));
  return {
    classify(reference) {
      if (reference.catalog !== '' && !(qualified && reference.catalog === CATALOG)) return { kind: 'outside' };
      const schema = identifierKey(reference.schema === '' ? 'main' : reference.schema);
      if (schema !== 'main' && !schemas.has(schema)) return { kind: 'outside' };
      const table = tables.find(
        (candidate) =>
          identifierKey(candidate.schema) === schema && identifierKey(candidate.name) === identifierKey(reference.name),
      );
      return table ? { kind: 'allowed', columns: table.columns.map((column) => column.name) } : { kind: 'missing' };
    },
  };
}

/** Inserts `memory.` before every table reference; positions are byte offsets into the UTF-8 text. */
function qualifyReferences(sql: string, validated: ValidatedQuery): string {
  const bytes = Buffer.from(sql, 'utf8');
  const offsets = validated.tables.map((reference) => reference.queryLocation).sort((a, b) => b - a);
  let text = bytes;
  for (const offset of offsets) {
    if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
      throw new FluxgateError('QUERY_REJECTED', 'the query uses table references this server cannot resolve');
    }
    text = Buffer.concat([text.subarray(0, offset), Buffer.from(`${CATALOG}.`), text.subarray(offset)]);
  }
  return text.toString('utf8');
}

async function loadTables(connection: DuckDBConnection, tables: readonly VirtualTable[]): Promise<void> {
  const schemas = new Set(tables.map((table) => table.schema).filter((schema) => identifierKey(schema) !== 'main'));
  for (const schema of schemas)
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${CATALOG}.${quoteIdentifier(schema)}`);
  for (const table of tables) {
    const staged = await stageRows(connection, table.columns, table.rows);
    try {
      const target = `${CATALOG}.${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
      await connection.run(`CREATE TABLE ${target} AS ${staged.select}`);
    } finally {
      await staged.drop();
    }
  }
}
