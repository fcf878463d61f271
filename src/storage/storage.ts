import type { SeriesPart } from '../influxql/result.ts';
import type { LineBatch } from './lineprotocol/line-batch.ts';
import type { FieldType, LineError, ParsedLine, Precision } from './lineprotocol/types.ts';

/**
 * The data-plane port. Storage never sees a token: the services authorize before calling it.
 * One engine instance per database, addressed by the database id from the catalog.
 */
export interface DatabaseLimits {
  maxTables: number;
  maxColumnsPerTable: number;
  retentionPeriodMs: number | null;
}

export interface StorageDatabase {
  id: number;
  name: string;
  limits: DatabaseLimits;
  /** The database's name on an upstream engine (the catalog's mapping); absent: `name`. Embedded storage ignores it. */
  upstreamName?: string;
}

/**
 * What an adapter may lack. Each one it lacks is listed in `absent`, and its methods throw
 * STORAGE_CAPABILITY_ABSENT (501) naming the engine.
 */
export type StorageCapability = 'sql' | 'parquet' | 'virtualTables' | 'retention' | 'diskUsage';

/**
 * An engine that runs InfluxQL itself (InfluxDB 1.x): the InfluxQL service sends it a statement it
 * has already authorized and confined to this one database (see confineStatement), printed as text.
 */
export interface InfluxqlEngine {
  /** One statement's results as series parts, streamed; an upstream statement error throws QUERY_FAILED. */
  run(
    db: StorageDatabase,
    text: string,
    options: { signal?: AbortSignal; chunkSize?: number },
  ): AsyncIterable<SeriesPart>;
}

/**
 * Present on an engine that parses line protocol itself (an upstream speaking the InfluxDB 3 API): the
 * write service hands it the client's authorized body as is instead of parsing it first, so a 2-core
 * machine does not parse every line twice. Its per-line errors carry the client's own line numbers.
 */
export interface LineProtocolEngine {
  /** Stores the lines of `body` (UTF-8, at `precision`); a body with no line stores nothing and calls nothing. */
  write(
    db: StorageDatabase,
    body: Buffer,
    precision: Precision,
    options: Pick<WriteOptions, 'atomic' | 'noSync'>,
  ): Promise<WriteOutcome>;
}

export interface WriteOutcome {
  /** Points stored durably. */
  written: number;
  /** Points refused by the engine (type conflict, limits, retention), with their line numbers. */
  rejected: LineError[];
}

export interface WriteOptions {
  /** Store every point or none: one refused point refuses the whole batch (`accept_partial=false`). */
  atomic?: boolean;
  /**
   * The client's line protocol the points were parsed from, every line of which parsed: an adapter
   * that forwards line protocol may send it as is (same lines, same numbers) instead of re-encoding.
   */
  source?: { body: Buffer; precision: Precision };
  /**
   * Acknowledge before the points are synced to disk (`no_sync=true`, as InfluxDB 3): faster, and
   * a crash of the machine (not only of the server) may lose them.
   */
  noSync?: boolean;
}

export type ColumnKind = 'time' | 'tag' | 'float' | 'integer' | 'uinteger' | 'string' | 'boolean' | 'other';

export interface ResultColumn {
  name: string;
  /** The engine's SQL type, e.g. TIMESTAMP_NS, VARCHAR, DOUBLE, BIGINT. */
  sqlType: string;
}

/** Values are JSON-safe: numbers, strings, booleans, null; BIGINTs beyond 2^53 as strings; timestamps as RFC3339 strings. */
export interface QueryResult {
  columns: ResultColumn[];
  rows: unknown[][];
}

export interface QueryOptions {
  /** `$name` parameters. */
  params?: Record<string, unknown>;
  /** Aborting interrupts the statement in the engine; reads then throw the signal's reason. */
  signal?: AbortSignal;
}

/** Caps on a result read whole. */
export interface CollectLimits {
  maxRows?: number;
  /** Approximate: the bytes of the values' JSON text. */
  maxBytes?: number;
  /** Names the cap in the QUERY_RESULT_TOO_LARGE message, e.g. `--query-max-result 256MiB`. */
  limitName?: string;
}

/** A result read batch by batch. */
export interface QueryStream {
  readonly columns: ResultColumn[];
  /** The next batch of JSON-safe rows (see QueryResult), or null at the end. */
  next(): Promise<unknown[][] | null>;
  /** Releases the engine's connection, interrupting the statement if it is still running. Idempotent. */
  close(): Promise<void>;
}

/**
 * A result the engine encoded itself, as InfluxDB 3's `format=jsonl`: one JSON object per row, each
 * line ending in a newline (JSON text holds none of its own).
 */
export interface JsonLinesStream {
  readonly encoding: 'jsonl';
  /** The next run of whole lines, or null at the end. */
  next(): Promise<Buffer | null>;
  /** As QueryStream's: releases the call, stopping the statement if it still runs. Idempotent. */
  close(): Promise<void>;
}

/** One measurement (table) of a database as InfluxQL sees it: its tag keys and typed field keys. */
export interface MeasurementSchema {
  name: string;
  /** Tag keys in byte order. */
  tags: string[];
  /** Field keys in byte order, each with the type line protocol wrote it as. */
  fields: Array<{ name: string; type: FieldType }>;
}

/** A virtual table served for one query, such as `system.tokens` in `_internal`. */
export interface VirtualTable {
  schema: string;
  name: string;
  columns: Array<{ name: string; sqlType: string }>;
  rows: unknown[][];
}

export interface Storage {
  /** The capabilities this adapter does not have; empty for the embedded engine. */
  readonly absent: ReadonlySet<StorageCapability>;
  /** Present on an engine that answers InfluxQL itself; absent, InfluxQL is translated into SQL. */
  readonly influxql?: InfluxqlEngine;
  /** Present on an engine that parses line protocol itself; absent, the write service parses it first. */
  readonly lineProtocol?: LineProtocolEngine;
  /** Prepares a database the catalog just created (an upstream engine creates its own); idempotent. */
  create(db: StorageDatabase): Promise<void>;
  /**
   * Stores points; resolves only once they are durable (with `noSync`, once they are handed to the
   * disk), and a query started after it resolves sees them. `defaultTimeNs` stamps points without a
   * timestamp. All points of a table are stored or refused per point, never half a point. A batch
   * (from `parseLineProtocolBuffer`) is the fast form. With `atomic`, a batch with any refused point
   * stores nothing (`written` is 0 and `rejected` lists the refused points).
   */
  write(
    db: StorageDatabase,
    points: LineBatch | ParsedLine[],
    defaultTimeNs: bigint,
    options?: WriteOptions,
  ): Promise<WriteOutcome>;
  /**
   * The measurements of a database in byte order, with their tags and fields: what its committed
   * writes created. A database never written has none.
   */
  schema(db: StorageDatabase): Promise<MeasurementSchema[]>;
  /**
   * Opens one read-only statement against this database alone as a stream of row batches (one
   * engine chunk each, about 2,048 rows), so no result is ever held whole. Throws QUERY_REJECTED /
   * QUERY_FAILED, or the signal's reason once it aborts. The caller must `close` the stream.
   */
  openQuery(db: StorageDatabase, sql: string, options?: QueryOptions): Promise<QueryStream>;
  /**
   * Present on an engine that encodes answers itself (an upstream's own `format=jsonl`): what
   * `openQuery` gives, as JSON lines, so a face answering json or jsonl passes them on instead of
   * decoding rows and encoding them again. Same validation, errors and signal as `openQuery`.
   */
  openJsonLines?(db: StorageDatabase, sql: string, options?: QueryOptions): Promise<JsonLinesStream>;
  /** `openQuery` against the given virtual tables only (no database files). */
  openVirtualQuery(tables: VirtualTable[], sql: string, options?: QueryOptions): Promise<QueryStream>;
  /** `openQuery` read to the end; more than `limits` rows or bytes throws QUERY_RESULT_TOO_LARGE. */
  query(
    db: StorageDatabase,
    sql: string,
    params?: Record<string, unknown>,
    options?: QueryOptions & CollectLimits,
  ): Promise<QueryResult>;
  /** `openVirtualQuery` read to the end, as `query`. */
  queryVirtual(
    tables: VirtualTable[],
    sql: string,
    params?: Record<string, unknown>,
    options?: QueryOptions & CollectLimits,
  ): Promise<QueryResult>;
  /**
   * Encodes batches as one Parquet file, yielded in pieces. Parquet is written whole at the end, so
   * the batches are staged in the engine (bounded by its memory limit), never in the heap.
   * `metadata` becomes the file's key-value metadata.
   */
  encodeParquet(
    columns: readonly ResultColumn[],
    batches: AsyncIterable<unknown[][]>,
    options?: { signal?: AbortSignal; metadata?: () => Record<string, string> },
  ): AsyncIterable<Uint8Array>;
  /** Encodes a whole result as a Parquet file's bytes. */
  toParquet(result: QueryResult): Promise<Uint8Array>;
  /** Statements running or streaming now, for the active-query gauge. */
  activeQueries(): number;
  /** Bytes a database's files take on disk; 0 for one never written. */
  diskUsage(db: StorageDatabase): Promise<number>;
  /** Removes rows older than the retention period; returns how many. */
  enforceRetention(db: StorageDatabase, nowNs: bigint): Promise<number>;
  /** Closes the engine of a database and keeps its files (a deleted database in its recovery window). */
  release(dbId: number): Promise<void>;
  /** Closes the engine of a database and deletes its files. */
  drop(dbId: number): Promise<void>;
  close(): Promise<void>;
}
