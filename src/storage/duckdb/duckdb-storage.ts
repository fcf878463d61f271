import fs from 'node:fs';
import path from 'node:path';
import { FluxgateError } from '../../domain/errors.ts';
import { LineBatch } from '../lineprotocol/line-batch.ts';
import type { ParsedLine } from '../lineprotocol/types.ts';
import type {
  MeasurementSchema,
  QueryResult,
  Storage,
  StorageDatabase,
  VirtualTable,
  WriteOutcome,
} from '../storage.ts';
import { DatabaseEngine } from './database-engine.ts';
import { ParquetEncoder } from './parquet-encoder.ts';
import { validateQueryTree } from './query-validator.ts';
import { SqlParser } from './sql-parser.ts';
import { runVirtualQuery } from './virtual-query.ts';

const NS_PER_MS = 1_000_000n;

/**
 * The Storage port on DuckDB: database `id` lives in `<dataDir>/dbs/<id>.duckdb`, with its own
 * engine instance opened on first use and kept until `drop` or `close`.
 */
export class DuckDbStorage implements Storage {
  private readonly engines = new Map<number, DatabaseEngine>();
  /** Closes and drops in progress: a database is not reopened until its engine closed (and its files are gone). */
  private readonly drops = new Map<number, Promise<void>>();
  private parser: Promise<SqlParser> | undefined;
  private encoder: Promise<ParquetEncoder> | undefined;

  /** `queryTimeoutMs`: how long one query may run before it is interrupted. */
  constructor(
    private readonly dataDir: string,
    private readonly queryTimeoutMs = Number.POSITIVE_INFINITY,
  ) {}

  /** The path of a database's file. */
  databaseFile(dbId: number): string {
    if (!Number.isSafeInteger(dbId) || dbId < 0) throw new FluxgateError('INTERNAL', `invalid database id ${dbId}`);
    return path.join(this.dataDir, 'dbs', `${dbId}.duckdb`);
  }

  async write(db: StorageDatabase, points: LineBatch | ParsedLine[], defaultTimeNs: bigint): Promise<WriteOutcome> {
    const batch = points instanceof LineBatch ? points : LineBatch.fromPoints(points);
    if (batch.pointCount === 0) return { written: 0, rejected: [] };
    return this.engine(db.id).write(batch, defaultTimeNs, db.limits);
  }

  async schema(db: StorageDatabase): Promise<MeasurementSchema[]> {
    // A database never written has no measurements; do not create its file to say so.
    if (!this.engines.has(db.id) && !fs.existsSync(this.databaseFile(db.id))) return [];
    return this.engine(db.id).schema();
  }

  async query(db: StorageDatabase, sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    // A database never written has no tables; answer from an empty sandbox rather than create its file.
    if (!this.engines.has(db.id) && !fs.existsSync(this.databaseFile(db.id))) {
      return runVirtualQuery(await this.sqlParser(), [], sql, params);
    }
    const engine = this.engine(db.id);
    const statement = await (await this.sqlParser()).parseSelect(sql);
    await engine.ready();
    validateQueryTree(statement, engine);
    return engine.query(sql, params);
  }

  async queryVirtual(tables: VirtualTable[], sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    return runVirtualQuery(await this.sqlParser(), tables, sql, params);
  }

  async toParquet(result: QueryResult): Promise<Uint8Array> {
    this.encoder ??= ParquetEncoder.open();
    return (await this.encoder).encode(result);
  }

  async diskUsage(db: StorageDatabase): Promise<number> {
    const file = this.databaseFile(db.id);
    let bytes = 0;
    for (const suffix of ['', '.wal']) {
      const stat = await fs.promises.stat(`${file}${suffix}`).catch(() => undefined);
      if (stat?.isFile()) bytes += stat.size;
    }
    return bytes;
  }

  async enforceRetention(db: StorageDatabase, nowNs: bigint): Promise<number> {
    const retentionMs = db.limits.retentionPeriodMs;
    if (retentionMs === null) return 0;
    // A database never written has nothing to delete; do not create its file.
    if (!this.engines.has(db.id) && !fs.existsSync(this.databaseFile(db.id))) return 0;
    return this.engine(db.id).enforceRetention(nowNs - BigInt(retentionMs) * NS_PER_MS);
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
    const engine = this.engines.get(dbId);
    this.engines.delete(dbId);
    const previous = this.drops.get(dbId) ?? Promise.resolve();
    const dropping = (async () => {
      await previous;
      await engine?.close();
      if (!removeFiles) return;
      for (const suffix of ['', '.wal', '.tmp']) {
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

  async close(): Promise<void> {
    const engines = [...this.engines.values()];
    this.engines.clear();
    await Promise.all(engines.map((engine) => engine.close()));
    const parser = this.parser;
    const encoder = this.encoder;
    this.parser = undefined;
    this.encoder = undefined;
    await (await parser?.catch(() => undefined))?.close();
    await (await encoder?.catch(() => undefined))?.close();
  }

  /** The engine of a database, created (and opening in the background) on first use. */
  private engine(dbId: number): DatabaseEngine {
    let engine = this.engines.get(dbId);
    if (!engine) {
      const file = this.databaseFile(dbId);
      const after = (this.drops.get(dbId) ?? Promise.resolve()).then(() =>
        fs.promises.mkdir(path.dirname(file), { recursive: true }).then(() => {}),
      );
      const created = new DatabaseEngine(file, after, this.queryTimeoutMs);
      this.engines.set(dbId, created);
      // A failed open is not kept: the next call tries again.
      created.ready().catch(() => {
        if (this.engines.get(dbId) === created) this.engines.delete(dbId);
      });
      engine = created;
    }
    return engine;
  }

  private sqlParser(): Promise<SqlParser> {
    this.parser ??= SqlParser.open();
    return this.parser;
  }
}
