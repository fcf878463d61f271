import fs from 'node:fs';
import path from 'node:path';
import { FluxgateError } from '../../domain/errors.ts';
import { LineBatch } from '../lineprotocol/line-batch.ts';
import type { ParsedLine } from '../lineprotocol/types.ts';
import { ParseCache } from '../parse-cache.ts';
import { collect } from '../query-stream.ts';
import type {
  CollectLimits,
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
import { DatabaseEngine } from './database-engine.ts';
import { EngineSet, type EngineSettings } from './engine-set.ts';
import { ParquetEncoder } from './parquet-encoder.ts';
import { withTimeout } from './query-runner.ts';
import { validateQueryTree } from './query-validator.ts';
import { type SandboxedDatabase, SharedInstance } from './sandboxed-instance.ts';
import { SqlParser } from './sql-parser.ts';
import { openVirtualQuery } from './virtual-query.ts';

const NS_PER_MS = 1_000_000n;

/**
 * The Storage port on DuckDB: database `id` lives in `<dataDir>/dbs/<id>.duckdb`, with its own
 * engine opened on first use, closed when idle or when more than the settings allow are open, and
 * opened again on the next use (see EngineSet). The engines' files are attached to one shared
 * DuckDB instance (see SharedInstance), or each opened in an instance of its own.
 */
export class DuckDbStorage implements Storage {
  readonly absent: ReadonlySet<StorageCapability> = new Set();
  private readonly engines: EngineSet;
  /** Queries opening or streaming now: `stopQueries` aborts them (interrupting their statements). */
  private readonly running = new Set<AbortController>();
  /** Streams open now: closed by `stopQueries`. */
  private readonly streams = new Set<QueryStream>();
  /** Closes and drops in progress: a database is not reopened until its engine closed (and its files are gone). */
  private readonly drops = new Map<number, Promise<void>>();
  private parser: Promise<SqlParser> | undefined;
  private readonly parses = new ParseCache(async (sql) => (await this.sqlParser()).parseSelect(sql));
  /** The DuckDB instance the databases are attached to, opened with the first (with `sharedInstance`). */
  private shared: Promise<SharedInstance> | undefined;
  private encoder: Promise<ParquetEncoder> | undefined;

  /** `queryTimeoutMs`: how long one query may run before it is interrupted. */
  constructor(
    private readonly dataDir: string,
    private readonly queryTimeoutMs = Number.POSITIVE_INFINITY,
    private readonly settings: EngineSettings = {},
  ) {
    this.engines = new EngineSet(settings, (dbId, after) => this.createEngine(dbId, after));
  }

  /** The path of a database's file. */
  databaseFile(dbId: number): string {
    if (!Number.isSafeInteger(dbId) || dbId < 0) throw new FluxgateError('INTERNAL', `invalid database id ${dbId}`);
    return path.join(this.dataDir, 'dbs', `${dbId}.duckdb`);
  }

  /** Whether a database has anything on disk: its file, or a write-ahead log not applied to one yet. */
  private hasFiles(dbId: number): boolean {
    return fs.existsSync(this.databaseFile(dbId)) || fs.existsSync(this.walDir(dbId));
  }

  /** A database's file is created by its first write. */
  async create(_db: StorageDatabase): Promise<void> {}

  /** The directory of a database's write-ahead log (beside its file; DuckDB's own WAL is `<id>.duckdb.wal`). */
  walDir(dbId: number): string {
    return `${this.databaseFile(dbId)}.points-wal`;
  }

  async write(
    db: StorageDatabase,
    points: LineBatch | ParsedLine[],
    defaultTimeNs: bigint,
    options: WriteOptions = {},
  ): Promise<WriteOutcome> {
    const batch = points instanceof LineBatch ? points : LineBatch.fromPoints(points);
    if (batch.pointCount === 0) return { written: 0, rejected: [] };
    return this.engines.use(db.id, (engine) =>
      engine.write(batch, defaultTimeNs, db.limits, options.atomic === true, options.noSync === true),
    );
  }

  async schema(db: StorageDatabase): Promise<MeasurementSchema[]> {
    // A database never written has no measurements; do not create its file to say so.
    if (!this.engines.has(db.id) && !this.hasFiles(db.id)) return [];
    return this.engines.use(db.id, (engine) => engine.schema());
  }

  async openQuery(db: StorageDatabase, sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    const deadline = this.deadline(options.signal);
    const params = options.params ?? {};
    try {
      // A database never written has no tables; answer from an empty sandbox rather than create its file.
      if (!this.engines.has(db.id) && !this.hasFiles(db.id)) {
        return this.track(await this.virtual([], sql, params, deadline.signal), deadline.dispose);
      }
      const lease = this.engines.lease(db.id);
      try {
        const statement = await this.parses.parseSelect(sql);
        await lease.engine.ready();
        // Read your writes: every write acknowledged before the query is applied before it runs.
        await lease.engine.caughtUp(deadline.signal);
        validateQueryTree(statement, lease.engine);
        const stream = await lease.engine.openStream(sql, params, deadline.signal);
        return this.track(stream, () => {
          lease.release();
          deadline.dispose();
        });
      } catch (error) {
        lease.release();
        throw error;
      }
    } catch (error) {
      deadline.dispose();
      throw error;
    }
  }

  async openVirtualQuery(tables: VirtualTable[], sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    const deadline = this.deadline(options.signal);
    try {
      return this.track(await this.virtual(tables, sql, options.params ?? {}, deadline.signal), deadline.dispose);
    } catch (error) {
      deadline.dispose();
      throw error;
    }
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
    tables: VirtualTable[],
    sql: string,
    params?: Record<string, unknown>,
    options: QueryOptions & CollectLimits = {},
  ): Promise<QueryResult> {
    return collect(await this.openVirtualQuery(tables, sql, { ...options, ...(params ? { params } : {}) }), options);
  }

  async *encodeParquet(
    columns: readonly ResultColumn[],
    batches: AsyncIterable<unknown[][]>,
    options: { signal?: AbortSignal; metadata?: () => Record<string, string> } = {},
  ): AsyncGenerator<Uint8Array> {
    this.encoder ??= ParquetEncoder.open();
    yield* (await this.encoder).encodeStream(columns, batches, options);
  }

  async toParquet(result: QueryResult): Promise<Uint8Array> {
    this.encoder ??= ParquetEncoder.open();
    return (await this.encoder).encode(result);
  }

  activeQueries(): number {
    return this.running.size;
  }

  /**
   * One query's signal: the caller's, the storage's own timeout, and `stopQueries`. Counted as
   * running (for the gauge) from now until `dispose`, which the stream's close or a failed open calls.
   */
  private deadline(signal: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
    const own = new AbortController();
    const forward = () => own.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    const timed = withTimeout(own.signal, this.queryTimeoutMs);
    this.running.add(own);
    return {
      signal: timed.signal ?? own.signal,
      dispose: () => {
        timed.dispose();
        signal?.removeEventListener('abort', forward);
        this.running.delete(own);
      },
    };
  }

  /** Engines open now (for tests and the stats). */
  openEngines(): number {
    return this.engines.size;
  }

  async diskUsage(db: StorageDatabase): Promise<number> {
    const file = this.databaseFile(db.id);
    let bytes = 0;
    for (const suffix of ['', '.wal']) {
      const stat = await fs.promises.stat(`${file}${suffix}`).catch(() => undefined);
      if (stat?.isFile()) bytes += stat.size;
    }
    const walDir = this.walDir(db.id);
    for (const name of await fs.promises.readdir(walDir).catch(() => [] as string[])) {
      const stat = await fs.promises.stat(path.join(walDir, name)).catch(() => undefined);
      if (stat?.isFile()) bytes += stat.size;
    }
    return bytes;
  }

  async enforceRetention(db: StorageDatabase, nowNs: bigint): Promise<number> {
    const retentionMs = db.limits.retentionPeriodMs;
    if (retentionMs === null) return 0;
    // A database never written has nothing to delete; do not create its file.
    if (!this.engines.has(db.id) && !this.hasFiles(db.id)) return 0;
    return this.engines.use(db.id, (engine) => engine.enforceRetention(nowNs - BigInt(retentionMs) * NS_PER_MS));
  }

  release(dbId: number): Promise<void> {
    return this.closeEngine(dbId, false);
  }

  drop(dbId: number): Promise<void> {
    return this.closeEngine(dbId, true);
  }

  /** Closes a database's engine and, if `removeFiles`, deletes its files; it is not reopened before. */
  private async closeEngine(dbId: number, removeFiles: boolean): Promise<void> {
    const file = this.databaseFile(dbId);
    const engine = this.engines.remove(dbId);
    const previous = this.drops.get(dbId) ?? Promise.resolve();
    const dropping = (async () => {
      await previous;
      // A drop discards the unapplied writes with the files; a release applies them first.
      await engine?.close(removeFiles);
      await this.engines.closed(dbId);
      if (!removeFiles) return;
      for (const suffix of ['', '.wal', '.tmp', '.points-wal']) {
        await fs.promises.rm(`${file}${suffix}`, { recursive: true, force: true });
      }
    })();
    this.drops.set(dbId, dropping);
    try {
      await dropping;
    } finally {
      if (this.drops.get(dbId) === dropping) this.drops.delete(dbId);
    }
  }

  /** Interrupts every running query and closes its stream (their readers see the end). */
  async stopQueries(): Promise<void> {
    for (const query of this.running) {
      query.abort(new FluxgateError('QUERY_FAILED', 'the server is shutting down; the query was stopped'));
    }
    await Promise.all([...this.streams].map((stream) => stream.close()));
  }

  /** Stops every running query first, so closing never waits for a runaway statement. */
  async close(): Promise<void> {
    await this.stopQueries();
    await this.engines.closeAll();
    const shared = this.shared;
    this.shared = undefined;
    (await shared?.catch(() => undefined))?.close();
    const parser = this.parser;
    const encoder = this.encoder;
    this.parser = undefined;
    this.encoder = undefined;
    await (await parser?.catch(() => undefined))?.close();
    await (await encoder?.catch(() => undefined))?.close();
  }

  /** A new engine for a database, opening in the background once an earlier drop of its files is done. */
  private createEngine(dbId: number, closed: Promise<void>): DatabaseEngine {
    const file = this.databaseFile(dbId);
    const after = Promise.all([this.drops.get(dbId), closed]).then(() =>
      fs.promises.mkdir(path.dirname(file), { recursive: true }).then(() => {}),
    );
    const { memoryLimit, threads, walFiles, logger, applyIntervalMs, applyOnClose } = this.settings;
    return new DatabaseEngine(file, after, {
      queryTimeoutMs: this.queryTimeoutMs,
      ...(this.settings.sharedInstance === false ? {} : { attach: (path: string) => this.attach(path) }),
      sizing: {
        ...(memoryLimit === undefined ? {} : { memoryLimit }),
        ...(threads === undefined ? {} : { threads }),
      },
      walDir: this.walDir(dbId),
      ...(walFiles === undefined ? {} : { walFiles }),
      ...(logger === undefined ? {} : { logger }),
      ...(applyIntervalMs === undefined ? {} : { applyIntervalMs }),
      ...(applyOnClose === undefined ? {} : { applyOnClose }),
    });
  }

  private async virtual(
    tables: VirtualTable[],
    sql: string,
    params: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<QueryStream> {
    const { memoryLimit } = this.settings;
    return openVirtualQuery(this.parses, tables, sql, params, signal, {
      threads: 1,
      ...(memoryLimit === undefined ? {} : { memoryLimit }),
    });
  }

  /** Counts a stream as active until it is closed, then runs `release`. */
  private track(stream: QueryStream, release: () => void): QueryStream {
    let closing: Promise<void> | undefined;
    const tracked: QueryStream = {
      columns: stream.columns,
      next: () => stream.next(),
      close: () => {
        closing ??= stream.close().finally(() => {
          this.streams.delete(tracked);
          release();
        });
        return closing;
      },
    };
    this.streams.add(tracked);
    return tracked;
  }

  /** Attaches a database file to the shared instance, opening it first if need be. */
  private async attach(file: string): Promise<SandboxedDatabase> {
    const { memoryLimit, threads } = this.settings;
    // An instance that failed to open is not kept: the next database tries again.
    this.shared ??= SharedInstance.open(path.dirname(file), {
      ...(memoryLimit === undefined ? {} : { memoryLimit }),
      ...(threads === undefined ? {} : { threads }),
    }).catch((error: unknown) => {
      this.shared = undefined;
      throw error;
    });
    const shared = this.shared;
    try {
      return await (await shared).attach(file);
    } catch (error) {
      // A fatal DuckDB error invalidates the whole instance: databases opened from now on get a new one.
      if (this.shared === shared && /invalidated/i.test(String(error))) this.shared = undefined;
      throw error;
    }
  }

  private sqlParser(): Promise<SqlParser> {
    this.parser ??= SqlParser.open();
    return this.parser;
  }
}
