import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import { ConnectionPool } from './connection-pool.ts';
import { openSandboxedInstance } from './sandboxed-instance.ts';

/**
 * Parses user SQL in a private, empty, sandboxed in-memory instance: it only ever parses (never
 * binds or runs user SQL), and the SQL travels as a bound parameter, never spliced into a statement.
 */
export class SqlParser {
  /** The serializing statement, prepared once per connection (the pool lends a connection to one caller at a time). */
  private readonly serializers = new WeakMap<DuckDBConnection, Promise<DuckDBPreparedStatement>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
  ) {}

  static async open(): Promise<SqlParser> {
    const instance = await openSandboxedInstance(':memory:');
    return new SqlParser(instance, new ConnectionPool(instance));
  }

  /** The parse tree of the one SELECT statement in `sql`; refuses anything else. */
  async parseSelect(sql: string): Promise<unknown> {
    if (isBlank(sql)) throw new FluxgateError('QUERY_REJECTED', 'exactly one statement is allowed, found 0');
    // Refused before DuckDB sees it: extracting some statements already does work (IMPORT
    // DATABASE reads files, PIVOT creates a type), which only the sandbox would stop.
    const keyword = leadingKeyword(sql);
    if (keyword === undefined || !READ_KEYWORDS.has(keyword)) {
      throw new FluxgateError(
        'QUERY_REJECTED',
        `only SELECT statements are allowed, not ${keyword ?? 'this statement'}`,
      );
    }
    return this.pool.use(async (connection) => {
      // One call for the common case, one SELECT: serializing alone proves it. Anything else is
      // counted first, so the refusal says how many statements it found.
      const tree = await this.serialize(connection, sql);
      if (!tree.error && tree.statements?.length === 1) return tree.statements[0];
      const count = await countStatements(connection, sql);
      if (count !== 1) {
        throw new FluxgateError('QUERY_REJECTED', `exactly one statement is allowed, found ${count}`);
      }
      if (tree.error) {
        if (tree.error_message?.includes('Only SELECT statements')) {
          throw new FluxgateError('QUERY_REJECTED', `only SELECT statements are allowed, not ${statementKeyword(sql)}`);
        }
        throw new FluxgateError('QUERY_FAILED', tree.error_message ?? 'the query could not be parsed');
      }
      throw new FluxgateError('QUERY_REJECTED', 'exactly one statement is allowed');
    });
  }

  /** `json_serialize_sql` of the text, bound as a parameter to a statement prepared once per connection. */
  private async serialize(connection: DuckDBConnection, sql: string): Promise<SerializedSql> {
    let prepared = this.serializers.get(connection);
    if (prepared === undefined) {
      prepared = connection.prepare('SELECT json_serialize_sql($sql::VARCHAR)');
      this.serializers.set(connection, prepared);
      prepared.catch(() => this.serializers.delete(connection));
    }
    const statement = await prepared;
    statement.bind({ sql });
    const json = (await statement.runAndReadAll()).getRows()[0]?.[0];
    return JSON.parse(typeof json === 'string' ? json : '{}') as SerializedSql;
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.instance.closeSync();
  }
}

/** What json_serialize_sql answers: the statements' trees, or why it could not. */
interface SerializedSql {
  error?: boolean;
  error_message?: string;
  statements?: unknown[];
}

/** Statements that may start a read: `WITH` may also start a DELETE, which DuckDB then refuses to serialize. */
const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE']);

/** No statement at all: blank, comments, `;` (the binding throws a bare error on those). */
function isBlank(sql: string): boolean {
  return stripComments(sql).replaceAll(';', '').trim() === '';
}

async function countStatements(connection: DuckDBConnection, sql: string): Promise<number> {
  try {
    return (await connection.extractStatements(sql)).count;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FluxgateError('QUERY_FAILED', message.replace(/^Failed to extract statements: /, ''));
  }
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

function leadingKeyword(sql: string): string | undefined {
  return /^[A-Za-z_]+/.exec(stripComments(sql).replace(/^[\s(]+/, ''))?.[0]?.toUpperCase();
}

/** Names a refused statement for the error message (`INSERT`, `COPY`, `PRAGMA`…). */
function statementKeyword(sql: string): string {
  const keyword = leadingKeyword(sql);
  if (keyword === 'WITH') {
    const modifying = /\b(INSERT|UPDATE|DELETE|MERGE)\b/i.exec(stripComments(sql))?.[1];
    return modifying ? modifying.toUpperCase() : 'this WITH statement';
  }
  return keyword ?? 'this statement';
}
