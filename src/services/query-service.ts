import type { UsageTracker } from '../auth/usage-tracker.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { mayEver } from '../domain/authorization.ts';
import { fail } from '../domain/errors.ts';
import { INTERNAL_DATABASE } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Principal } from '../domain/principal.ts';
import type {
  JsonLinesStream,
  MeasurementSchema,
  QueryResult,
  QueryStream,
  ResultColumn,
  Storage,
} from '../storage/storage.ts';
import { requireRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import { JsonLinesAnswer } from './json-lines-answer.ts';
import { QueryAnswer, RESULT_CAP_FLAG, type ResultCap, requestDeadline } from './query-answer.ts';
import { recogniseSchemaStatement } from './schema-statements.ts';
import { schemaStatementResult, tableStream } from './schema-tables.ts';
import { systemTokensTable } from './system-tokens-table.ts';

export interface QueryRequest {
  database: string;
  sql: string;
  params?: Record<string, unknown>;
  /** Aborts when the client goes away: the query stops. */
  signal?: AbortSignal;
}

/** What bounds every query: `--query-timeout` and `--query-max-result`. */
export interface QueryLimits {
  timeoutMs: number;
  cap: ResultCap;
}

export const UNLIMITED: QueryLimits = {
  timeoutMs: Number.POSITIVE_INFINITY,
  cap: { maxRows: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY },
};

/** A result a face encodes batch by batch (a QueryAnswer, or InfluxQL's rows). */
export interface ResultSource {
  readonly columns: ResultColumn[];
  readonly signal: AbortSignal;
  readonly truncated: string | undefined;
  batches(): AsyncIterable<unknown[][]>;
  spend(bytes: number): void;
  tooLarge(): Error;
}

const READ = DB_ACTIONS.read;

/**
 * SQL over one database, for a principal holding `db:<name>:read`. `_internal` serves the system
 * tables (`system.tokens`) to admin tokens only, so InfluxDB 3's own `SELECT * FROM system.tokens` works.
 */
export class QueryService {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      directory: DatabaseDirectory;
      storage: Storage;
      usage: UsageTracker;
      now: () => number;
      limits?: QueryLimits;
      /** Refuses a database whose files another node holds (shared catalog); absent: all are here. */
      ownership?: DatabaseOwnership;
    },
  ) {}

  get limits(): QueryLimits {
    return this.deps.limits ?? UNLIMITED;
  }

  /**
   * Opens a query as an answer the face reads batch by batch and must close. The deadline starts
   * now and ends at `close`, so it covers running, converting and sending alike.
   */
  async open(principal: Principal, request: QueryRequest): Promise<QueryAnswer> {
    return this.withDeadline(request, async (signal, dispose) => {
      const stream = await this.openStream(principal, request, signal, 'rows');
      return new QueryAnswer(stream, this.limits.cap, signal, dispose);
    });
  }

  /**
   * As `open`, for a face answering json or jsonl: the engine's own JSON lines where the storage
   * gives them (nothing decoded to rows and encoded again), else the rows.
   */
  async openForJson(principal: Principal, request: QueryRequest): Promise<QueryAnswer | JsonLinesAnswer> {
    return this.withDeadline(request, async (signal, dispose) => {
      const stream = await this.openStream(principal, request, signal, 'jsonLines');
      return 'encoding' in stream
        ? new JsonLinesAnswer(stream, this.limits.cap, signal, dispose)
        : new QueryAnswer(stream, this.limits.cap, signal, dispose);
    });
  }

  /** Runs `open` under the request's deadline, which the answer it makes disposes of when closed. */
  private async withDeadline<T>(
    request: QueryRequest,
    open: (signal: AbortSignal, dispose: () => void) => Promise<T>,
  ): Promise<T> {
    const deadline = requestDeadline(this.limits.timeoutMs, request.signal);
    try {
      return await open(deadline.signal, deadline.dispose);
    } catch (error) {
      deadline.dispose();
      throw error;
    }
  }

  /** A query read whole, within the limits (QUERY_RESULT_TOO_LARGE past the cap). */
  async query(principal: Principal, request: QueryRequest): Promise<QueryResult> {
    const answer = await this.open(principal, request);
    try {
      const rows: unknown[][] = [];
      for await (const batch of answer.batches()) {
        for (const row of batch) rows.push(row);
      }
      if (answer.truncated !== undefined) throw answer.tooLarge();
      return { columns: answer.columns, rows };
    } finally {
      await answer.close();
    }
  }

  /**
   * A result as Parquet, in pieces. Parquet is written whole at the end, so nothing is sent before the
   * cap would be known: past it, this throws QUERY_RESULT_TOO_LARGE before the first piece.
   */
  async *parquet(source: ResultSource): AsyncGenerator<Uint8Array> {
    const counted = async function* (): AsyncGenerator<unknown[][]> {
      for await (const batch of source.batches()) {
        let bytes = 0;
        for (const row of batch) for (const value of row) bytes += approximate(value);
        source.spend(bytes);
        yield batch;
      }
      if (source.truncated !== undefined) throw source.tooLarge();
    };
    yield* this.deps.storage.encodeParquet(source.columns, counted(), { signal: source.signal });
  }

  /** Statements running or streaming now. */
  activeQueries(): number {
    return this.deps.storage.activeQueries();
  }

  /** The rows of a query, or with `prefer` 'jsonLines' the storage's own JSON lines when it gives them. */
  private openStream(
    principal: Principal,
    request: QueryRequest,
    signal: AbortSignal,
    prefer: 'rows',
  ): Promise<QueryStream>;
  private openStream(
    principal: Principal,
    request: QueryRequest,
    signal: AbortSignal,
    prefer: 'jsonLines',
  ): Promise<QueryStream | JsonLinesStream>;
  private async openStream(
    principal: Principal,
    request: QueryRequest,
    signal: AbortSignal,
    prefer: 'rows' | 'jsonLines',
  ): Promise<QueryStream | JsonLinesStream> {
    if (request.database === '') fail('INVALID_INPUT', 'the db parameter is required', { field: 'db' });
    if (request.sql.trim() === '') fail('INVALID_INPUT', 'the q parameter (the SQL query) is required', { field: 'q' });
    if (request.database === INTERNAL_DATABASE) return this.openInternal(principal, request, signal);
    const record = this.deps.directory.byNameOf(request.database);
    if (record === undefined) {
      const any = { kind: 'db', dbId: null, actions: READ } as const;
      if (!mayEver(principal, 'data.query')) requireRight(principal, 'data.query', any, request.database);
      fail('DATABASE_NOT_FOUND', `database '${request.database}' not found`, { field: 'db' });
    }
    requireRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }, record.name);
    await this.deps.ownership?.requireHere(record);
    const database = toStorageDatabase(record);
    const schemaStatement = recogniseSchemaStatement(request.sql);
    if (schemaStatement !== undefined) {
      return tableStream(schemaStatementResult(schemaStatement, await this.deps.storage.schema(database)));
    }
    const storage = this.deps.storage;
    if (prefer === 'jsonLines' && storage.openJsonLines !== undefined) {
      return storage.openJsonLines(database, request.sql, options(request.params, signal));
    }
    return storage.openQuery(database, request.sql, options(request.params, signal));
  }

  /**
   * The measurements of a database the principal may read, as `query` would see them: for faces
   * that describe a result's columns (Flight marks tag columns), never for deciding anything.
   */
  async schema(principal: Principal, database: string): Promise<MeasurementSchema[]> {
    if (database === INTERNAL_DATABASE) {
      requireRight(principal, 'data.query', { kind: 'admin' }, INTERNAL_DATABASE);
      return [];
    }
    const record = this.deps.directory.byNameOf(database);
    if (record === undefined) fail('DATABASE_NOT_FOUND', `database '${database}' not found`, { field: 'db' });
    requireRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }, record.name);
    await this.deps.ownership?.requireHere(record);
    return this.deps.storage.schema(toStorageDatabase(record));
  }

  private async openInternal(principal: Principal, request: QueryRequest, signal: AbortSignal): Promise<QueryStream> {
    requireRight(principal, 'data.query', { kind: 'admin' }, INTERNAL_DATABASE);
    const tokens = await this.deps.catalog.listTokens({ includeRevoked: true });
    const table = systemTokensTable(
      tokens,
      this.deps.now(),
      (id) => this.deps.directory.nameOf(id),
      (id) => this.deps.usage.pendingFor(id),
    );
    return this.deps.storage.openVirtualQuery([table], request.sql, options(request.params, signal));
  }
}

function options(params: Record<string, unknown> | undefined, signal: AbortSignal) {
  return params === undefined ? { signal } : { params, signal };
}

function approximate(value: unknown): number {
  if (typeof value === 'string') return value.length + 3;
  if (value === null || value === undefined) return 1;
  return typeof value === 'object' ? (JSON.stringify(value)?.length ?? 1) + 1 : 9;
}

export { RESULT_CAP_FLAG };
