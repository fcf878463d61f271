import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatabaseLimits } from '../storage.ts';
import { ColumnRegistry } from './column-registry.ts';
import { ConnectionPool } from './connection-pool.ts';
import type { EngineOptions } from './database-engine.ts';
import { installQueryMacros } from './query-runner.ts';
import { openOwnDatabase, type SandboxedDatabase } from './sandboxed-instance.ts';
import { SeriesMarks } from './series-marks.ts';
import { loadAppliedSeq } from './wal-position.ts';
import { nodeWalFileSystem, type WalLogger, WriteAheadLog } from './write-ahead-log.ts';
import { type DraftTable, WriteDraft } from './write-draft.ts';

/** What an open database engine works with. */
export interface EngineResources {
  instance: SandboxedDatabase;
  /** Used by one task at a time, under the engine's writer turn: applies and retention. */
  writer: DuckDBConnection;
  queries: ConnectionPool;
  /** The schema of what is applied to the database (what queries see). */
  registry: ColumnRegistry;
  /** The schema of what is logged (applied or not): writes are checked against it. */
  logged: ColumnRegistry;
  marks: SeriesMarks;
  log: WriteAheadLog;
}

/** A logged record as it waits for the apply: its points as planned against the logged schema. */
export interface UnappliedRecord {
  seq: bigint;
  tables: DraftTable[];
  points: number;
}

/** The log's records the database file does not hold yet, and how far the file and the log go. */
export interface Replay {
  records: UnappliedRecord[];
  points: number;
  appliedSeq: bigint;
  loggedSeq: bigint;
}

/** Replay plans what the log holds again: its points were checked when they were written. */
const NO_LIMITS: DatabaseLimits = {
  maxTables: Number.POSITIVE_INFINITY,
  maxColumnsPerTable: Number.POSITIVE_INFINITY,
  retentionPeriodMs: null,
};

/**
 * Opens a database file and its write-ahead log, and plans the log's records past the position the
 * file recorded against the logged schema, for the engine to apply. Logs a warning when there are any.
 */
export async function openEngine(
  file: string,
  options: EngineOptions,
  logger: WalLogger,
): Promise<{ resources: EngineResources; replay: Replay }> {
  const instance = await (options.attach ?? ((path) => openOwnDatabase(path, options.sizing)))(file);
  try {
    const writer = await instance.connect();
    const registry = await ColumnRegistry.load(writer);
    const appliedSeq = await loadAppliedSeq(writer);
    const started = performance.now();
    const { log, records } = await WriteAheadLog.open(
      options.walDir,
      appliedSeq,
      options.walFiles ?? nodeWalFileSystem,
      logger,
    );
    const logged = registry.clone();
    const replay: Replay = { records: [], points: 0, appliedSeq, loggedSeq: log.seq - 1n };
    for (const record of records) {
      const draft = new WriteDraft(logged);
      let points = 0;
      for (const batch of record.entries) {
        points += draft.plan({ batch, defaultTimeNs: 0n, limits: NO_LIMITS, nowNs: 0n, atomic: false }).written;
      }
      draft.applyTo(logged);
      replay.records.push({ seq: record.seq, tables: draft.touchedTables, points });
      replay.points += points;
    }
    if (records.length > 0) {
      logger.warn(
        {
          dir: options.walDir,
          records: records.length,
          points: replay.points,
          readMs: Math.round(performance.now() - started),
        },
        'replaying the write-ahead log records not yet applied to the database',
      );
    }
    const resources: EngineResources = {
      instance,
      writer,
      queries: new ConnectionPool(instance, installQueryMacros),
      registry,
      logged,
      marks: new SeriesMarks(),
      log,
    };
    return { resources, replay };
  } catch (error) {
    await instance.close().catch(() => {});
    throw error;
  }
}
