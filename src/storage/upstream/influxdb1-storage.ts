import { FluxgateError } from '../../domain/errors.ts';
import type { ColumnType, SeriesPart } from '../../influxql/result.ts';
import { LineBatch } from '../lineprotocol/line-batch.ts';
import type { FieldType, LineError, ParsedLine } from '../lineprotocol/types.ts';
import type {
  CollectLimits,
  InfluxqlEngine,
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
import { Influxdb1Client, Influxdb1UpstreamError } from './influxdb1-client.ts';
import type { Influxdb1Credential } from './influxdb1-credential.ts';
import { seriesPartsOf, UpstreamStatementError } from './influxdb1-results.ts';
import { lineProtocolText } from './line-protocol-text.ts';
import { absentCapability, UpstreamBookkeeping } from './upstream-bookkeeping.ts';

/** What an InfluxDB 1.x upstream does not give a gateway: it speaks InfluxQL, not SQL. */
const ABSENT: ReadonlySet<StorageCapability> = new Set(['sql', 'parquet', 'virtualTables', 'retention', 'diskUsage']);

const WHAT_IS_ABSENT: Record<StorageCapability, string> = {
  sql: 'SQL (query_sql, Flight SQL); use InfluxQL (/query, /api/v3/query_influxql)',
  parquet: 'Parquet output (format=parquet)',
  virtualTables: "the system tables of '_internal'",
  retention: "retention enforcement by fluxgate (set the upstream's own retention policy)",
  diskUsage: 'disk usage per database',
};

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Field types read for checking writes are reused for this long (another gateway may have written since). */
const FIELD_TYPES_TTL_MS = 1_000;

export interface Influxdb1StorageOptions {
  /** `--query-timeout`: bounds a query on the upstream. */
  queryTimeoutMs?: number;
  /** Bounds writes, schema reads and database calls. */
  callTimeoutMs?: number;
  /** The upstream name of a database id this storage has not been handed yet (the catalog's mapping). */
  upstreamNameOf?: (dbId: number) => Promise<string | undefined>;
}

/**
 * The Storage port on an InfluxDB 1.x upstream: writes to `/write`, schema from SHOW statements,
 * databases by CREATE/DROP DATABASE, and InfluxQL (already confined by the InfluxQL service)
 * forwarded as InfluxQL. SQL is absent. The upstream sees the gateway's one user, never a client's.
 */
export class Influxdb1Storage implements Storage {
  readonly absent = ABSENT;
  readonly influxql: InfluxqlEngine;
  private readonly client: Influxdb1Client;
  private readonly queryClient: Influxdb1Client;
  private readonly books: UpstreamBookkeeping;
  private readonly running = new Set<AbortController>();
  private readonly types = new Map<string, { at: number; types: Promise<Map<string, FieldType>> }>();
  private closed = false;

  constructor(target: { url: string; credential: Influxdb1Credential }, options: Influxdb1StorageOptions = {}) {
    this.books = new UpstreamBookkeeping(options.upstreamNameOf);
    const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.client = new Influxdb1Client({ url: target.url, credential: target.credential, timeoutMs: callTimeoutMs });
    const queryTimeoutMs = options.queryTimeoutMs ?? 0;
    this.queryClient = new Influxdb1Client({
      url: target.url,
      credential: target.credential,
      // The query service's deadline bounds a query; this one only keeps a forgotten call from hanging forever.
      timeoutMs: queryTimeoutMs > 0 && Number.isFinite(queryTimeoutMs) ? queryTimeoutMs : 24 * 3_600_000,
    });
    this.influxql = { run: (db, text, runOptions) => this.runInfluxql(db, text, runOptions) };
  }

  /** How errors name this upstream. */
  get label(): string {
    return `the InfluxDB 1.x upstream at ${this.client.url}`;
  }

  /** Resolves when the upstream answers `/ping`; throws UPSTREAM_UNAVAILABLE with the reason otherwise. */
  async probe(timeoutMs: number): Promise<void> {
    const why = await this.client.unreachable(timeoutMs);
    if (why !== undefined) throw new FluxgateError('UPSTREAM_UNAVAILABLE', why);
  }

  async create(db: StorageDatabase): Promise<void> {
    await this.call(() => this.client.createDatabase(this.books.nameOf(db)));
  }

  async write(
    db: StorageDatabase,
    points: LineBatch | ParsedLine[],
    defaultTimeNs: bigint,
    options: WriteOptions = {},
  ): Promise<WriteOutcome> {
    this.assertOpen();
    const count = points instanceof LineBatch ? points.pointCount : points.length;
    if (count === 0) return { written: 0, rejected: [] };
    const name = this.books.nameOf(db);
    const lines = points instanceof LineBatch ? points.toParsedLines() : points;
    // InfluxDB 1.x drops a conflicting point without saying which line it was: refuse those here, by line.
    const known = await this.fieldTypes(name);
    const { accepted, rejected, added } = splitConflicts(lines, known, this.label);
    if (rejected.length > 0 && (options.atomic === true || accepted.length === 0)) return { written: 0, rejected };
    // Recorded before the next await, so a concurrent batch to this database is checked against them too.
    for (const [key, type] of added) known.set(key, type);
    // The client's body as sent when its precision is known and every line goes; else the points re-encoded in ns.
    const source = options.source;
    const [body, precision] =
      source !== undefined && source.precision !== 'auto' && rejected.length === 0
        ? [source.body, source.precision]
        : [lineProtocolText(accepted, defaultTimeNs), 'ns' as const];
    const work = this.call(async () => {
      try {
        await this.client.write(name, body, precision);
      } catch (error) {
        if (!(error instanceof Influxdb1UpstreamError) || !/database not found/.test(error.message)) throw error;
        // Known to the catalog, not yet to the upstream (created while it was down): create it now.
        await this.client.createDatabase(name);
        await this.client.write(name, body, precision);
      }
    });
    try {
      await this.books.tracked(db.id, work);
      return { written: accepted.length, rejected };
    } catch (error) {
      // The types this batch recorded may not have reached the upstream: read them afresh next time.
      this.types.delete(name);
      throw error;
    }
  }

  async schema(db: StorageDatabase): Promise<MeasurementSchema[]> {
    this.assertOpen();
    return this.call(() => this.client.schema(this.books.nameOf(db)));
  }

  async openQuery(_db: StorageDatabase, _sql: string, _options?: QueryOptions): Promise<QueryStream> {
    throw this.absentError('sql');
  }

  async openVirtualQuery(_tables: VirtualTable[], _sql: string, _options?: QueryOptions): Promise<QueryStream> {
    throw this.absentError('virtualTables');
  }

  async query(
    _db: StorageDatabase,
    _sql: string,
    _params?: Record<string, unknown>,
    _options?: QueryOptions & CollectLimits,
  ): Promise<QueryResult> {
    throw this.absentError('sql');
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
    return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
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

  /** DROP DATABASE upstream, once the writes already sent to it have finished. */
  async drop(dbId: number): Promise<void> {
    const name = await this.books.forDrop(dbId);
    if (name === undefined) return;
    await this.call(() => this.client.dropDatabase(name));
    this.types.delete(name);
  }

  async stopQueries(): Promise<void> {
    for (const controller of this.running) controller.abort(stopped());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopQueries();
  }

  /** One confined statement upstream, its results as series parts; typed by the database's schema. */
  private async *runInfluxql(
    db: StorageDatabase,
    text: string,
    options: { signal?: AbortSignal; chunkSize?: number },
  ): AsyncGenerator<SeriesPart> {
    this.assertOpen();
    const controller = new AbortController();
    const signal =
      options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
    this.running.add(controller);
    try {
      const name = this.books.nameOf(db);
      const types = columnTypes(await this.call(() => this.client.schema(name)));
      const chunks = this.queryClient.query(name, text, {
        signal,
        ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      });
      for await (const part of seriesPartsOf(chunks, types)) {
        // Parts already received are not handed out once the query is stopped: its reason is.
        signal.throwIfAborted();
        yield part;
      }
    } catch (error) {
      throw this.translate(error);
    } finally {
      this.running.delete(controller);
    }
  }

  /**
   * Field types by `measurement\0field`, read from the upstream at most once a second per database;
   * a write through this node adds its own types at once (splitConflicts records them).
   */
  private fieldTypes(name: string): Promise<Map<string, FieldType>> {
    const cached = this.types.get(name);
    if (cached !== undefined && Date.now() - cached.at < FIELD_TYPES_TTL_MS) return cached.types;
    // One read shared by the batches that ask meanwhile: they check against, and record into, one map.
    const types = this.call(() => this.client.schema(name)).then((schema) => {
      const byKey = new Map<string, FieldType>();
      for (const measurement of schema) {
        for (const field of measurement.fields) byKey.set(`${measurement.name}\0${field.name}`, field.type);
      }
      return byKey;
    });
    const entry = { at: Date.now(), types };
    this.types.set(name, entry);
    types.catch(() => {
      if (this.types.get(name) === entry) this.types.delete(name);
    });
    return types;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await work();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** The client's failures as fluxgate's codes; their messages name the URL, never the credential. */
  private translate(error: unknown): unknown {
    if (error instanceof UpstreamStatementError) return new FluxgateError('QUERY_FAILED', error.message);
    if (!(error instanceof Influxdb1UpstreamError)) return error;
    if (error.kind === 'unavailable') return new FluxgateError('UPSTREAM_UNAVAILABLE', error.message);
    if (error.status === 400) return new FluxgateError('INVALID_INPUT', error.message);
    return new FluxgateError('UPSTREAM_FAILED', error.message);
  }

  private absentError(capability: StorageCapability): FluxgateError {
    return absentCapability(capability, WHAT_IS_ABSENT[capability], this.label);
  }

  private assertOpen(): void {
    if (this.closed) throw new FluxgateError('UPSTREAM_UNAVAILABLE', `the storage for ${this.label} is closed`);
  }
}

/**
 * Points whose field types agree with the upstream's schema and with the points before them in the
 * batch (the first type written wins, as in the upstream), and the others as line errors; `added`
 * is the field types the accepted points give that `types` lacked. A point with an unsigned integer
 * field is refused by line too: InfluxDB 1.x has no such type, and refuses the point without
 * saying which line (while keeping the others of the batch).
 */
function splitConflicts(
  lines: readonly ParsedLine[],
  types: ReadonlyMap<string, FieldType>,
  upstream: string,
): { accepted: ParsedLine[]; rejected: LineError[]; added: Map<string, FieldType> } {
  const accepted: ParsedLine[] = [];
  const rejected: LineError[] = [];
  const added = new Map<string, FieldType>();
  const typeOf = (key: string) => added.get(key) ?? types.get(key);
  for (const line of lines) {
    const { measurement, fields } = line.point;
    const refuse = (message: string) =>
      rejected.push({
        lineNumber: line.lineNumber,
        originalLine: lineProtocolText([line], 0n).trimEnd().slice(0, 256),
        message,
      });
    const unsigned = fields.find(([, value]) => value.type === 'uinteger');
    if (unsigned !== undefined) {
      refuse(
        `unsigned integer fields are not available on ${upstream}: InfluxDB 1.x has no unsigned type ` +
          `(write '${unsigned[0]}' as an integer, with the i suffix)`,
      );
      continue;
    }
    const conflict = fields.find(([key, value]) => {
      const known = typeOf(`${measurement}\0${key}`);
      return known !== undefined && known !== value.type;
    });
    if (conflict !== undefined) {
      const [key, value] = conflict;
      refuse(
        `invalid column type for column '${key}', expected ${typeOf(`${measurement}\0${key}`)}, got ${value.type}`,
      );
      continue;
    }
    for (const [key, value] of fields) {
      if (typeOf(`${measurement}\0${key}`) === undefined) added.set(`${measurement}\0${key}`, value.type);
    }
    accepted.push(line);
  }
  return { accepted, rejected, added };
}

/** Tags and typed fields by name across the database's measurements, for columns JSON cannot type. */
function columnTypes(schema: MeasurementSchema[]): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  for (const measurement of schema) {
    for (const tag of measurement.tags) types.set(tag, 'tag');
    for (const field of measurement.fields) types.set(field.name, field.type);
  }
  return types;
}

function stopped(): FluxgateError {
  return new FluxgateError('QUERY_FAILED', 'the query was stopped: the server is shutting down');
}
