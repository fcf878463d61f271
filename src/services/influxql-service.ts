import type { Principal } from '../auth/principal.ts';
import type { DatabaseRecord } from '../catalog/catalog.ts';
import { type ErrorCode, FluxgateError, fail, isFluxgateError } from '../domain/errors.ts';
import { INTERNAL_DATABASE } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Statement } from '../influxql/ast.ts';
import { InfluxqlError } from '../influxql/errors.ts';
import { InfluxqlParseError, parseQuery } from '../influxql/parser.ts';
import type { StatementResult } from '../influxql/result.ts';
import type { InfluxqlReader } from '../influxql/select-executor.ts';
import { showDatabases, showRetentionPolicies } from '../influxql/show-statements.ts';
import { executeDatabaseStatement, statementDatabase } from '../influxql/statements.ts';
import { streamOf } from '../storage/query-stream.ts';
import type { CollectLimits, MeasurementSchema, QueryOptions, QueryResult, Storage } from '../storage/storage.ts';
import { hasRight, requireRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import { QueryAnswer, RESULT_CAP_FLAG, requestDeadline } from './query-answer.ts';
import { type QueryLimits, UNLIMITED } from './query-service.ts';

export interface InfluxqlRequest {
  /** The request's database (`db`); a database named in a statement wins over it. */
  database: string;
  query: string;
  params?: Record<string, unknown>;
  /**
   * `/api/v3/query_influxql`: exactly one statement, and a `db` that disagrees with the database the
   * statement names is an error (v1 lets the statement's win).
   */
  singleStatement?: boolean;
  /** Aborts when the client goes away: the statements stop. */
  signal?: AbortSignal;
}

const READ = DB_ACTIONS.read;

/** Where one statement reads: a database the principal may read, or none (SHOW DATABASES, errors). */
type Target =
  | { kind: 'database'; record: DatabaseRecord }
  | { kind: 'internal' }
  | { kind: 'none' }
  | { kind: 'error'; code: ErrorCode; message: string };

/**
 * InfluxQL over the databases a principal may read. Every statement is authorized before any runs
 * (a refusal fails the whole request, as InfluxDB answers it); then each runs on its own and its
 * errors (unknown database, unknown function…) become that statement's result. The statements are
 * translated into SQL that runs through the same sandbox as `query_sql`.
 */
export class InfluxqlService {
  constructor(
    private readonly deps: {
      directory: DatabaseDirectory;
      storage: Storage;
      now: () => number;
      limits?: QueryLimits;
      ownership?: DatabaseOwnership;
    },
  ) {}

  private get limits(): QueryLimits {
    return this.deps.limits ?? UNLIMITED;
  }

  /**
   * A flat InfluxQL result as an answer a face sends batch by batch, within `--query-max-result`
   * and under its own `--query-timeout` for the sending.
   */
  answerOf(result: QueryResult, client?: AbortSignal): QueryAnswer {
    const deadline = requestDeadline(this.limits.timeoutMs, client);
    return new QueryAnswer(streamOf(result), this.limits.cap, deadline.signal, deadline.dispose);
  }

  async query(principal: Principal, request: InfluxqlRequest): Promise<StatementResult[]> {
    if (request.query.trim() === '') {
      fail('INVALID_INPUT', 'expected a query to be provided in the query string or body', { field: 'q' });
    }
    let parsed: ReturnType<typeof parseQuery>;
    try {
      parsed = parseQuery(request.query, request.params ?? {});
    } catch (error) {
      if (error instanceof InfluxqlParseError)
        throw new FluxgateError('INFLUXQL_INVALID', `error parsing query: ${error.message}`);
      throw error;
    }
    if (parsed.length === 0)
      fail('INFLUXQL_INVALID', 'error parsing query: the query has no statement', { field: 'q' });
    if (request.singleStatement && parsed.length > 1) {
      fail('INFLUXQL_INVALID', 'must provide only one InfluxQL statement per query', { field: 'q' });
    }
    const targets = parsed.map(({ statement }) =>
      this.authorize(principal, statement, request.database, request.singleStatement === true),
    );
    for (const target of targets) if (target.kind === 'database') await this.deps.ownership?.requireHere(target.record);
    const nowNs = BigInt(this.deps.now()) * 1_000_000n;
    const deadline = requestDeadline(this.limits.timeoutMs, request.signal);
    const options: QueryOptions & CollectLimits = {
      signal: deadline.signal,
      maxRows: this.limits.cap.maxRows,
      maxBytes: this.limits.cap.maxBytes,
      limitName: RESULT_CAP_FLAG,
    };
    try {
      const results: StatementResult[] = [];
      for (const [i, { statement }] of parsed.entries()) {
        results.push(await this.run(principal, statement, targets[i]!, nowNs, options));
      }
      return results;
    } finally {
      deadline.dispose();
    }
  }

  /** Resolves the statement's database and checks the principal may read it (throws PERMISSION_DENIED). */
  private authorize(principal: Principal, statement: Statement, requestDatabase: string, strict: boolean): Target {
    if (statement.kind === 'unsupported') {
      return { kind: 'error', code: 'QUERY_REJECTED', message: `This feature is not implemented: ${statement.name}` };
    }
    if (statement.kind === 'show_databases') return { kind: 'none' };
    let named: string | undefined;
    try {
      named = statementDatabase(statement);
    } catch (error) {
      if (error instanceof InfluxqlError) return { kind: 'error', code: 'INVALID_INPUT', message: error.message };
      throw error;
    }
    if (strict && named !== undefined && requestDatabase !== '' && named !== requestDatabase) {
      fail(
        'INVALID_INPUT',
        `the db parameter (${requestDatabase}) and the database the query names (${named}) differ`,
        {
          field: 'db',
        },
      );
    }
    const name = named ?? (requestDatabase === '' ? undefined : requestDatabase);
    if (name === undefined) {
      return {
        kind: 'error',
        code: 'INVALID_INPUT',
        message: "database name required: give the 'db' parameter or name the database in the query",
      };
    }
    if (name === INTERNAL_DATABASE) {
      requireRight(principal, 'data.query', { kind: 'admin' }, INTERNAL_DATABASE);
      return { kind: 'internal' };
    }
    const record = this.deps.directory.byNameOf(name);
    if (record === undefined) {
      // Only a principal that could read the database if it existed learns that it does not.
      requireRight(principal, 'data.query', { kind: 'db', dbId: null, actions: READ }, name);
      return { kind: 'error', code: 'DATABASE_NOT_FOUND', message: `database not found: ${name}` };
    }
    requireRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }, record.name);
    return { kind: 'database', record };
  }

  private async run(
    principal: Principal,
    statement: Statement,
    target: Target,
    nowNs: bigint,
    options: QueryOptions & CollectLimits,
  ): Promise<StatementResult> {
    if (target.kind === 'error') return { series: [], error: target.message, errorCode: target.code };
    try {
      if (statement.kind === 'show_databases') return showDatabases(this.readableDatabases(principal));
      if (target.kind === 'none') return { series: [] };
      if (statement.kind === 'show_retention_policies') {
        return target.kind === 'database'
          ? showRetentionPolicies(target.record.name, target.record.retentionPeriodMs)
          : showRetentionPolicies(INTERNAL_DATABASE, null);
      }
      return await executeDatabaseStatement(statement, this.reader(target, options), { nowNs });
    } catch (error) {
      if (error instanceof InfluxqlError) return { series: [], error: error.message, errorCode: 'QUERY_FAILED' };
      // Past the cap the request fails as a whole (400), as query_sql does before its first byte.
      const whole = ['PERMISSION_DENIED', 'QUERY_RESULT_TOO_LARGE'];
      if (isFluxgateError(error) && !whole.includes(error.code) && error.status < 500) {
        return { series: [], error: error.message, errorCode: error.code };
      }
      throw error;
    }
  }

  private readableDatabases(principal: Principal): string[] {
    const names = this.deps.directory
      .live()
      .filter((record) => hasRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }))
      .map((record) => record.name);
    if (hasRight(principal, 'data.query', { kind: 'admin' })) names.push(INTERNAL_DATABASE);
    return names;
  }

  /** Reads of one database through the storage port; the schema is read once per statement. */
  private reader(
    target: Extract<Target, { kind: 'database' | 'internal' }>,
    options: QueryOptions & CollectLimits,
  ): InfluxqlReader {
    const storage = this.deps.storage;
    if (target.kind === 'internal') {
      return {
        schema: async () => [],
        query: () => fail('QUERY_FAILED', 'InfluxQL does not read the system tables of _internal; use SQL'),
        queryTables: (tables, sql) => storage.queryVirtual(tables, sql, undefined, options),
      };
    }
    const db = toStorageDatabase(target.record);
    let schema: Promise<MeasurementSchema[]> | undefined;
    return {
      schema: () => {
        schema ??= storage.schema(db);
        return schema;
      },
      query: (sql) => storage.query(db, sql, undefined, options),
      queryTables: (tables, sql) => storage.queryVirtual(tables, sql, undefined, options),
    };
  }
}
