import { FluxgateError } from '../../domain/errors.ts';
import { validateQueryTree } from '../duckdb/query-validator.ts';
import { SqlParser } from '../duckdb/sql-parser.ts';
import { LineBatch } from '../lineprotocol/line-batch.ts';
import type { ParsedLine } from '../lineprotocol/types.ts';
import { ParseCache } from '../parse-cache.ts';
import { collect } from '../query-stream.ts';
import type {
  CollectLimits,
  JsonLinesStream,
  LineProtocolEngine,
  MeasurementSchema,
  QueryOptions,
  QueryResult,
  QueryStream,
  ResultColumn,
  Storage,
  StorageCapability,
  StorageDatabase,
  VirtualTable,
  WriteOptions,
  WriteOutcome,
} from '../storage.ts';
import { FlightChannel } from './flight-do-get.ts';
import { NoUpstreamDatabase, openFlightStream } from './flight-query-stream.ts';
import { openJsonLinesQuery } from './json-lines-query.ts';
import { pointLines } from './line-count.ts';
import { SchemaReading } from './schema-reading.ts';
import { absentCapability, UpstreamBookkeeping } from './upstream-bookkeeping.ts';
import { createUpstreamDatabase, deleteUpstreamDatabase } from './upstream-databases.ts';
import { UpstreamHttp } from './upstream-http.ts';
import { fetchSchema } from './upstream-schema.ts';
import type { UpstreamTarget } from './upstream-target.ts';
import { type UpstreamBatch, writeUpstream } from './upstream-writes.ts';

/** What an InfluxDB 3 API upstream does not give a gateway. */
const ABSENT: ReadonlySet<StorageCapability> = new Set(['parquet', 'virtualTables', 'retention', 'diskUsage']);

const WHAT_IS_ABSENT: Record<StorageCapability, string> = {
  sql: 'SQL queries',
  parquet: 'Parquet output (format=parquet)',
  virtualTables: "the system tables of '_internal'",
  retention: "retention enforcement by fluxgate (set the upstream's own retention)",
  diskUsage: 'disk usage per database',
};

/**
 * A schema read for validation is reused for this long; a query naming a table or column it lacks
 * (written since, through any node) reads it once more before it is refused.
 */
const SCHEMA_TTL_MS = 1_000;
/**
 * An upstream may acknowledge a no_sync write before its schema shows what it created (fluxgate's own
 * storage nodes did until their schema was updated before the answer). For this long after one, a query
 * naming a table or column the schema lacks reads it again a few times, RESYNC_WAITS_MS apart, before it is refused.
 */
const NO_SYNC_WINDOW_MS = 1_000;
const RESYNC_WAITS_MS = [10, 25, 50, 100];
/** Bounds each call that is not a query (writes, schema, database create/delete). */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export interface UpstreamStorageOptions {
  /** `--query-timeout`: bounds a query on the upstream (the query service's deadline too). */
  queryTimeoutMs?: number;
  /** Bounds writes, schema reads and database calls. */
  callTimeoutMs?: number;
  /** The upstream name of a database id this storage has not been handed yet (the catalog's mapping). */
  upstreamNameOf?: (dbId: number) => Promise<string | undefined>;
}

/**
 * The Storage port on an engine speaking the InfluxDB 3 API (InfluxDB 3 Core/Enterprise, or a
 * fluxgate node): writes as line protocol to `/api/v3/write_lp`, queries (after our validator
 * confined them to the one database) over Flight, or as the upstream's own JSON lines for an answer
 * in json or jsonl, schema from information_schema. The upstream sees
 * the gateway's one credential, never a client's; each database under its catalog `upstreamName`.
 */
export class UpstreamStorage implements Storage {
  readonly absent = ABSENT;
  private readonly http: UpstreamHttp;
  private readonly channel: FlightChannel;
  private readonly queryTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private parser: Promise<SqlParser> | undefined;
  private readonly parses = new ParseCache(async (sql) => {
    this.parser ??= SqlParser.open();
    return (await this.parser).parseSelect(sql);
  });
  private readonly books: UpstreamBookkeeping;
  private readonly schemas = new Map<string, SchemaReading>();
  /** When the last no_sync write through this node to a database was acknowledged, by upstream name. */
  private readonly noSyncWrites = new Map<string, number>();
  /** Open streams and queries still opening: `close` stops them. */
  private readonly running = new Set<AbortController>();
  private closed = false;

  constructor(target: UpstreamTarget, options: UpstreamStorageOptions = {}) {
    this.books = new UpstreamBookkeeping(options.upstreamNameOf);
    this.http = new UpstreamHttp(target);
    this.channel = new FlightChannel(target);
    this.queryTimeoutMs = options.queryTimeoutMs ?? Number.POSITIVE_INFINITY;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  }

  /** How errors name this upstream. */
  get label(): string {
    return this.http.label;
  }

  /** Resolves when the upstream answers `/health`; throws UPSTREAM_UNAVAILABLE (or UPSTREAM_FAILED) otherwise. */
  async probe(timeoutMs: number): Promise<void> {
    const answer = await this.http.call({ method: 'GET', path: '/health', timeoutMs });
    if (answer.status !== 200) throw this.http.failed(answer, 'the health check');
  }

  async create(db: StorageDatabase): Promise<void> {
    await createUpstreamDatabase(this.http, this.books.nameOf(db), this.callTimeoutMs);
  }

  /** Writes forward the client's own bytes: the upstream parses them (see LineProtocolEngine). */
  readonly lineProtocol: LineProtocolEngine = {
    write: async (db, body, precision, options) => {
      this.assertOpen();
      const pointCount = pointLines(body);
      if (pointCount === 0) return { written: 0, rejected: [] };
      return this.send(db, { kind: 'source', body, precision, pointCount }, options);
    },
  };

  async write(
    db: StorageDatabase,
    points: LineBatch | ParsedLine[],
    defaultTimeNs: bigint,
    options: WriteOptions = {},
  ): Promise<WriteOutcome> {
    this.assertOpen();
    const count = points instanceof LineBatch ? points.pointCount : points.length;
    if (count === 0) return { written: 0, rejected: [] };
    // The client's body when we have it (no re-encoding: the upstream parses what the client sent).
    const batch: UpstreamBatch =
      options.source !== undefined
        ? { kind: 'source', body: options.source.body, precision: options.source.precision, pointCount: count }
        : {
            kind: 'points',
            points: points instanceof LineBatch ? points.toParsedLines() : [...points],
            defaultTimeNs,
          };
    return this.send(db, batch, options);
  }

  /**
   * One batch to the upstream, creating the database there first if it does not have it yet. The
   * schema cached for validation stays: a query naming a table or column it lacks looks once more.
   */
  private async send(db: StorageDatabase, batch: UpstreamBatch, options: WriteOptions): Promise<WriteOutcome> {
    const name = this.books.nameOf(db);
    const work = (async () => {
      const flags = { atomic: options.atomic === true, noSync: options.noSync === true };
      let outcome = await writeUpstream(this.http, name, batch, flags, this.callTimeoutMs);
      if (outcome === 'no-database') {
        await createUpstreamDatabase(this.http, name, this.callTimeoutMs);
        outcome = await writeUpstream(this.http, name, batch, flags, this.callTimeoutMs);
      }
      if (outcome === 'no-database') {
        throw new FluxgateError('UPSTREAM_FAILED', `${this.label} has no database '${name}' even after creating it`);
      }
      return outcome;
    })();
    const outcome = await this.books.tracked(db.id, work);
    if (options.noSync === true) {
      if (this.noSyncWrites.size >= 10_000) this.noSyncWrites.clear();
      this.noSyncWrites.set(name, Date.now());
    }
    return outcome;
  }

  async schema(db: StorageDatabase): Promise<MeasurementSchema[]> {
    this.assertOpen();
    return (await this.freshSchema(this.books.nameOf(db))).schema;
  }

  openQuery(db: StorageDatabase, sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    return this.opened(db, sql, options, (database, signal, onClose) => {
      const ticket = { database, sql_query: sql, query_type: 'sql' as const, ...paramsOf(options) };
      return openFlightStream(this.channel, ticket, {
        deadlineMs: this.queryTimeoutMs,
        signal,
        label: this.label,
        onClose,
      });
    });
  }

  /** The upstream's own `format=jsonl` over HTTP: measured, cheaper for both sides than Flight and our encoding. */
  openJsonLines(db: StorageDatabase, sql: string, options: QueryOptions = {}): Promise<JsonLinesStream> {
    return this.opened(db, sql, options, (database, signal, onClose) =>
      openJsonLinesQuery(
        this.http,
        { database, sql, ...paramsOf(options) },
        {
          deadlineMs: this.queryTimeoutMs,
          signal,
          onClose,
        },
      ),
    );
  }

  /**
   * A query validated against this database's schema, then opened upstream by `open` (creating the
   * database there first if the upstream does not know it yet); counted in activeQueries until closed.
   */
  private async opened<T>(
    db: StorageDatabase,
    sql: string,
    options: QueryOptions,
    open: (database: string, signal: AbortSignal, onClose: () => void) => Promise<T>,
  ): Promise<T> {
    this.assertOpen();
    const controller = new AbortController();
    const signal =
      options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
    this.running.add(controller);
    const done = () => this.running.delete(controller);
    try {
      if (signal.aborted) throw signal.reason;
      const name = this.books.nameOf(db);
      await this.validate(name, sql);
      try {
        return await open(name, signal, done);
      } catch (error) {
        if (!(error instanceof NoUpstreamDatabase)) throw error;
        // Known to the catalog, not yet to the upstream (created while it was down): create it now.
        await createUpstreamDatabase(this.http, name, this.callTimeoutMs);
        this.running.add(controller);
        return await open(name, signal, done);
      }
    } catch (error) {
      done();
      throw error;
    }
  }

  async openVirtualQuery(_tables: VirtualTable[], _sql: string, _options?: QueryOptions): Promise<QueryStream> {
    throw this.absentError('virtualTables');
  }

  async query(
    db: StorageDatabase,
    sql: string,
    params?: Record<string, unknown>,
    options: QueryOptions & CollectLimits = {},
  ): Promise<QueryResult> {
    return collect(await this.openQuery(db, sql, { ...options, ...(params ? { params } : {}) }), options);
  }

  async queryVirtual(
    _tables: VirtualTable[],
    _sql: string,
    _params?: Record<string, unknown>,
    _options?: QueryOptions & CollectLimits,
  ): Promise<QueryResult> {
    throw this.absentError('virtualTables');
  }

  encodeParquet(
    _columns: readonly ResultColumn[],
    _batches: AsyncIterable<unknown[][]>,
    _options?: { signal?: AbortSignal; metadata?: () => Record<string, string> },
  ): AsyncIterable<Uint8Array> {
    const error = this.absentError('parquet');
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.reject(error),
      }),
    };
  }

  async toParquet(_result: QueryResult): Promise<Uint8Array> {
    throw this.absentError('parquet');
  }

  activeQueries(): number {
    return this.running.size;
  }

  async diskUsage(_db: StorageDatabase): Promise<number> {
    throw this.absentError('diskUsage');
  }

  async enforceRetention(_db: StorageDatabase, _nowNs: bigint): Promise<number> {
    throw this.absentError('retention');
  }

  /** Nothing to close: the upstream keeps the data of a database in its recovery window. */
  async release(_dbId: number): Promise<void> {}

  /** Deletes the database upstream, once the writes already sent to it have finished. */
  async drop(dbId: number): Promise<void> {
    const name = await this.books.forDrop(dbId);
    if (name === undefined) return;
    await deleteUpstreamDatabase(this.http, name, this.callTimeoutMs);
    this.schemas.delete(name);
    this.noSyncWrites.delete(name);
  }

  /** Stops every running query (shutdown must not wait for a slow upstream). */
  async stopQueries(): Promise<void> {
    for (const controller of this.running) controller.abort(stopped());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopQueries();
    this.channel.close();
    await this.http.close();
    const parser = this.parser;
    this.parser = undefined;
    if (parser !== undefined) await (await parser).close();
  }

  /** Our validator on the upstream's schema: only a read of this database's own tables goes upstream. */
  private async validate(name: string, sql: string): Promise<void> {
    const cached = this.schemas.get(name);
    const recent = cached !== undefined && cached.youngerThan(SCHEMA_TTL_MS);
    if (recent && cached.hasPassed(sql)) return;
    const statement = await this.parses.parseSelect(sql);
    const check = (reading: SchemaReading) => {
      validateQueryTree(statement, reading.scope);
      reading.notePassed(sql);
    };
    const unknownName = (error: unknown) => error instanceof FluxgateError && error.code === 'QUERY_FAILED';
    try {
      check(recent ? cached : await this.freshSchema(name));
      return;
    } catch (error) {
      if (!unknownName(error)) throw error;
      const noSyncAt = this.noSyncWrites.get(name);
      const afterNoSync = noSyncAt !== undefined && Date.now() - noSyncAt < NO_SYNC_WINDOW_MS;
      if (!recent && !afterNoSync) throw error;
    }
    // A table written since the cached read (through any node), or by a no_sync write not in the schema yet.
    const waits = this.noSyncWrites.has(name) ? RESYNC_WAITS_MS : [];
    for (let attempt = 0; ; attempt++) {
      try {
        check(await this.freshSchema(name));
        return;
      } catch (error) {
        const noSyncAt = this.noSyncWrites.get(name);
        const wait = waits[attempt];
        const afterNoSync = noSyncAt !== undefined && Date.now() - noSyncAt < NO_SYNC_WINDOW_MS;
        if (!unknownName(error) || wait === undefined || !afterNoSync) throw error;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async freshSchema(name: string): Promise<SchemaReading> {
    const reading = new SchemaReading(await fetchSchema(this.http, name, this.callTimeoutMs), Date.now());
    this.schemas.set(name, reading);
    return reading;
  }

  private absentError(capability: StorageCapability): FluxgateError {
    return absentCapability(capability, WHAT_IS_ABSENT[capability], this.label);
  }

  private assertOpen(): void {
    if (this.closed) throw new FluxgateError('UPSTREAM_UNAVAILABLE', `the storage for ${this.label} is closed`);
  }
}

function paramsOf(options: QueryOptions): { params?: Record<string, unknown> } {
  return options.params === undefined || Object.keys(options.params).length === 0 ? {} : { params: options.params };
}

function stopped(): FluxgateError {
  return new FluxgateError('QUERY_FAILED', 'the query was stopped: the server is shutting down');
}
