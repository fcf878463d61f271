import type { Principal } from '../auth/principal.ts';
import type { DatabaseRecord } from '../catalog/catalog.ts';
import { type ErrorCode, FluxgateError, fail, isFluxgateError } from '../domain/errors.ts';
import { INTERNAL_DATABASE } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Statement } from '../influxql/ast.ts';
import { confineStatement } from '../influxql/confinement.ts';
import { InfluxqlError, outsideInfluxql3 } from '../influxql/errors.ts';
import { type FlatStream, openFlatStream } from '../influxql/flat-stream.ts';
import { FLAT_SQL_TYPES, type FlatColumn } from '../influxql/flat-table.ts';
import { InfluxqlParseError, parseQuery } from '../influxql/parser.ts';
import type { SeriesPart, StatementResult } from '../influxql/result.ts';
import { collectSeries, type InfluxqlReader, type SelectPlan } from '../influxql/select-executor.ts';
import { showDatabases, showRetentionPolicies } from '../influxql/show-statements.ts';
import { type OpenedStatement, openDatabaseStatement, statementDatabase } from '../influxql/statements.ts';
import { approximateBytes } from '../storage/query-stream.ts';
import type {
  CollectLimits,
  InfluxqlEngine,
  MeasurementSchema,
  QueryOptions,
  QueryStream,
  Storage,
} from '../storage/storage.ts';
import { hasRight, requireRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import { QueryAnswer, RESULT_CAP_FLAG, type ResultCap, requestDeadline, resultTooLarge } from './query-answer.ts';
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

  /** Every statement read whole, within `--query-max-result` (QUERY_RESULT_TOO_LARGE past it). */
  async query(principal: Principal, request: InfluxqlRequest): Promise<StatementResult[]> {
    const run = await this.open(principal, request);
    try {
      const results: StatementResult[] = [];
      for await (const statement of run.statements()) {
        if (statement.parts === undefined) {
          results.push(statement.result);
          continue;
        }
        try {
          const series = await collectSeries(run.metered(statement.parts));
          results.push(statement.timezone === undefined ? { series } : { series, timezone: statement.timezone });
        } catch (error) {
          results.push(run.statementError(error));
        }
      }
      return results;
    } finally {
      run.close();
    }
  }

  /**
   * Parses and authorizes every statement (a refusal throws here, before anything runs), then
   * answers them one by one as the face reads them: SELECTs stream their series in parts. The
   * deadline (`--query-timeout`, and the client leaving) runs from here until `close`.
   */
  async open(principal: Principal, request: InfluxqlRequest): Promise<InfluxqlRun> {
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
    const answer = async function* (this: InfluxqlService): AsyncGenerator<AnsweredStatement> {
      for (const [index, { statement }] of parsed.entries()) {
        deadline.signal.throwIfAborted();
        yield { index, ...(await this.run(principal, statement, targets[index]!, nowNs, options)) };
      }
    };
    return new InfluxqlRun(answer.call(this), this.limits.cap, deadline.signal, deadline.dispose);
  }

  /**
   * `query_influxql` and Flight: the one statement's flat rows as an answer a face sends batch by
   * batch, within `--query-max-result` and the deadline. A statement error before the first row
   * throws (with its code); one after it ends the answer (the face writes its truncation marker).
   */
  async openFlat(
    principal: Principal,
    request: InfluxqlRequest,
    batchRows: number,
  ): Promise<{ answer: QueryAnswer; columns: FlatColumn[]; timezone: string | undefined }> {
    const run = await this.open(principal, { ...request, singleStatement: true });
    let flat: FlatStream;
    try {
      const step = await run.statements().next();
      if (step.done) throw new Error('a query_influxql request has one statement');
      const statement = step.value;
      if (statement.parts === undefined && statement.result.error !== undefined) {
        throw new FluxgateError(statement.result.errorCode ?? 'QUERY_FAILED', statement.result.error);
      }
      flat = await openFlatStream(statement, batchRows, this.limits.cap.maxRows).catch((error) => {
        throw run.failure(error);
      });
    } catch (error) {
      run.close();
      throw error;
    }
    const stream: QueryStream = {
      columns: flat.columns.map((column) => ({ name: column.name, sqlType: FLAT_SQL_TYPES[column.type] })),
      next: () =>
        flat.next().catch((error) => {
          throw run.failure(error);
        }),
      close: () => flat.close(),
    };
    const answer = new QueryAnswer(stream, this.limits.cap, run.signal, () => run.close());
    return { answer, columns: flat.columns, timezone: flat.timezone };
  }

  /** Resolves the statement's database and checks the principal may read it (throws PERMISSION_DENIED). */
  private authorize(principal: Principal, statement: Statement, requestDatabase: string, strict: boolean): Target {
    if (statement.kind === 'unsupported') {
      return { kind: 'error', code: 'QUERY_REJECTED', message: outsideInfluxql3(statement.name) };
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
  ): Promise<OpenedStatement> {
    if (target.kind === 'error') return { result: { series: [], error: target.message, errorCode: target.code } };
    try {
      if (statement.kind === 'show_databases') return { result: showDatabases(this.readableDatabases(principal)) };
      if (target.kind === 'none') return { result: { series: [] } };
      if (statement.kind === 'show_retention_policies') {
        return {
          result:
            target.kind === 'database'
              ? showRetentionPolicies(target.record.name, target.record.retentionPeriodMs)
              : showRetentionPolicies(INTERNAL_DATABASE, null),
        };
      }
      const engine = this.deps.storage.influxql;
      if (engine !== undefined && target.kind === 'database') {
        return await this.forward(engine, principal, statement, target.record, options);
      }
      return await openDatabaseStatement(statement, this.reader(target, options), { nowNs });
    } catch (error) {
      const result = statementErrorOf(error);
      if (result === undefined) throw error;
      return { result };
    }
  }

  /**
   * On an engine that runs InfluxQL itself: the statement, already authorized for `record`, confined
   * to the databases this principal may read (each under its upstream name) and sent as InfluxQL.
   */
  private async forward(
    engine: InfluxqlEngine,
    principal: Principal,
    statement: Statement,
    record: DatabaseRecord,
    options: QueryOptions & CollectLimits,
  ): Promise<OpenedStatement> {
    const readable = new Map<string, string>();
    for (const live of this.deps.directory.live()) {
      if (hasRight(principal, 'data.query', { kind: 'db', dbId: live.id, actions: READ })) {
        readable.set(live.name, live.upstreamName ?? live.name);
      }
    }
    const confined = confineStatement(statement, { defaultDatabase: record.name, readable });
    if (confined.kind === 'local' || confined.database !== record.name) {
      // Authorization resolved another database than confinement: refuse rather than guess.
      fail('QUERY_REJECTED', 'the statement could not be confined to the database it was authorized for');
    }
    const db = toStorageDatabase(record);
    const parts = async function* (): AsyncGenerator<SeriesPart> {
      yield* engine.run(db, confined.text, options.signal === undefined ? {} : { signal: options.signal });
    };
    if (statement.kind !== 'select') return { result: { series: await collectSeries(parts(), options.maxRows) } };
    const opened = { parts: parts(), plan: {} };
    return statement.timezone === undefined ? opened : { ...opened, timezone: statement.timezone };
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
    const streamOptions: QueryOptions = options.signal === undefined ? {} : { signal: options.signal };
    if (target.kind === 'internal') {
      return {
        schema: async () => [],
        query: () => fail('QUERY_FAILED', 'InfluxQL does not read the system tables of _internal; use SQL'),
        open: () => fail('QUERY_FAILED', 'InfluxQL does not read the system tables of _internal; use SQL'),
        openTables: (tables, sql) => storage.openVirtualQuery(tables, sql, streamOptions),
        maxRows: options.maxRows ?? Number.POSITIVE_INFINITY,
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
      open: (sql) => storage.openQuery(db, sql, streamOptions),
      openTables: (tables, sql) => storage.openVirtualQuery(tables, sql, streamOptions),
      maxRows: options.maxRows ?? Number.POSITIVE_INFINITY,
    };
  }
}

/**
 * A failure of one statement as its statement error (InfluxQL errors, unknown database, a timeout…),
 * or undefined when it fails the whole request: a refusal, the result cap (400 before the first
 * byte, as query_sql answers it) and server faults.
 */
export function statementErrorOf(error: unknown): StatementResult | undefined {
  if (error instanceof InfluxqlError) return { series: [], error: error.message, errorCode: 'QUERY_FAILED' };
  const whole = ['PERMISSION_DENIED', 'QUERY_RESULT_TOO_LARGE'];
  if (isFluxgateError(error) && !whole.includes(error.code) && error.status < 500) {
    return { series: [], error: error.message, errorCode: error.code };
  }
  return undefined;
}

/** A statement as a run answers it: whole (errors, SHOW, EXPLAIN) or a SELECT's parts. */
export type AnsweredStatement = { index: number } & (
  | { result: StatementResult; parts?: undefined }
  | { parts: AsyncGenerator<SeriesPart>; timezone?: string; plan: SelectPlan; result?: undefined }
);

/**
 * One InfluxQL request while a face sends it: its statements in order, the rows and bytes sent so far
 * against `--query-max-result`, and the deadline, which ends at `close`.
 */
export class InfluxqlRun {
  private rows = 0;
  private bytes = 0;

  constructor(
    private readonly answered: AsyncGenerator<AnsweredStatement>,
    private readonly cap: ResultCap,
    readonly signal: AbortSignal,
    private readonly dispose: () => void,
  ) {}

  private current: AsyncGenerator<SeriesPart> | undefined;

  /** The statements, each run when the face asks for it (after the one before was sent). */
  async *statements(): AsyncGenerator<AnsweredStatement> {
    for await (const statement of this.answered) {
      this.current = statement.parts;
      yield statement;
    }
  }

  /** Parts as they count against the row cap: past it, QUERY_RESULT_TOO_LARGE. */
  async *metered(parts: AsyncIterable<SeriesPart>, countBytes = true): AsyncGenerator<SeriesPart> {
    for await (const part of parts) {
      this.rows += part.values.length;
      if (this.rows > this.cap.maxRows) throw resultTooLarge(this.cap);
      if (countBytes && Number.isFinite(this.cap.maxBytes)) {
        let bytes = 0;
        for (const row of part.values) for (const value of row) bytes += approximateBytes(value) + 1;
        this.spend(bytes);
      }
      yield part;
    }
  }

  /** Bytes a face wrote (or, read whole, the values' size): past the cap, QUERY_RESULT_TOO_LARGE. */
  spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.cap.maxBytes) throw resultTooLarge(this.cap);
  }

  /** A failure while a statement's parts stream, as its statement error; throws what fails the request. */
  statementError(error: unknown): StatementResult {
    const result = statementErrorOf(error);
    if (result === undefined) throw error;
    return result;
  }

  /** A failure as the FluxgateError a flat face answers or writes as its truncation marker. */
  failure(error: unknown): unknown {
    const result = statementErrorOf(error);
    return result === undefined ? error : new FluxgateError(result.errorCode ?? 'QUERY_FAILED', result.error!);
  }

  /** Stops what still runs and ends the deadline. Idempotent. */
  close(): void {
    // What a statement's cleanup throws (a stream that fails to close) must not become an unhandled rejection.
    this.current?.return(undefined).catch(() => {});
    this.answered.return(undefined).catch(() => {});
    this.dispose();
  }
}
