import { FluxgateError } from '../../domain/errors.ts';
import { failpoint } from '../../support/failpoints.ts';
import { GroupCommitQueue } from '../../support/group-commit-queue.ts';
import type { LineBatch } from '../lineprotocol/line-batch.ts';
import type { DatabaseLimits, MeasurementSchema, QueryResult, QueryStream, WriteOutcome } from '../storage.ts';
import { commitDraft } from './draft-writer.ts';
import { type EngineResources, openEngine, type UnappliedRecord } from './engine-open.ts';
import { reopenAfterFailedApply } from './engine-reset.ts';
import { identifierKey, quoteIdentifier } from './identifiers.ts';
import { measurementSchemas } from './measurement-schemas.ts';
import { installQueryMacros, openStatement, runQuery } from './query-runner.ts';
import type { QueryScope, TableReference, TableVerdict } from './query-validator.ts';
import { ReadBarrier } from './read-barrier.ts';
import type { SandboxedDatabase, SandboxOptions } from './sandboxed-instance.ts';
import { appliedSeqStatement } from './wal-position.ts';
import { encodeRecord, type TableSlice } from './wal-record.ts';
import type { WalFileSystem, WalLogger } from './write-ahead-log.ts';
import { adoptTables, combineTables, WriteDraft, type WriteRequest } from './write-draft.ts';

/** Points per log record when concurrent writes are grouped: bounds the latency a group adds. */
const MAX_GROUP_POINTS = 50_000;
/** The apply starts at once when this many points wait; otherwise `applyIntervalMs` after the first. */
const APPLY_POINTS = 250_000;
/** Points one apply transaction takes at most. */
const APPLY_MAX_POINTS = 500_000;
/** Writes wait (back pressure) while this many points are logged but not applied. */
const MAX_UNAPPLIED_POINTS = 1_000_000;
const APPLY_RETRY_MS = 1000;
export interface EngineOptions {
  queryTimeoutMs?: number;
  sizing?: Pick<SandboxOptions, 'memoryLimit' | 'threads'>;
  /** Opens the database file (e.g. in an instance shared with other databases); an instance of its own, with `sizing`, when unset. */
  attach?: (file: string) => Promise<SandboxedDatabase>;
  /** The directory of the database's write-ahead log. */
  walDir: string;
  walFiles?: WalFileSystem;
  logger?: WalLogger;
  /** How long logged points wait at most before the background apply moves them into the database. */
  applyIntervalMs?: number;
  /** How long a query waits at most for the writes acknowledged before it to be applied. */
  readWaitMs?: number;
  /** Whether `close` applies the log first (default) or leaves it to be replayed on the next open. */
  applyOnClose?: boolean;
}

/** A write as the log queue takes it; `acknowledge` answers a `no_sync` write before the sync. */
interface LogWrite extends WriteRequest {
  acknowledge?: (outcome: WriteOutcome) => void;
}

/**
 * One database: its DuckDB instance, opened in the background as soon as the engine exists, its
 * write-ahead log, a queue serializing log appends (grouped: one sync for many requests), a
 * background apply moving logged points into the database in large transactions, a pool of query
 * connections, and the column registries. A write is acknowledged once it is in the log and
 * synced; a query first waits until everything acknowledged before it is applied. Work submitted
 * before `close` finishes; work submitted after is refused.
 */
export class DatabaseEngine implements QueryScope {
  private readonly resources: Promise<EngineResources>;
  private readonly queue: GroupCommitQueue<LogWrite, WriteOutcome>;
  private opened: EngineResources | undefined;
  private closing: Promise<void> | undefined;
  private readonly queryTimeoutMs: number;
  private readonly applyIntervalMs: number;
  private readonly readWaitMs: number;
  private readonly barrier: ReadBarrier;
  private readonly applyOnClose: boolean;
  private readonly logger: WalLogger;
  private readonly unapplied: UnappliedRecord[] = [];
  private unappliedPoints = 0;
  /** The last record applied to the database, the last synced, and the last acknowledged (no_sync: before its sync). */
  private appliedSeq = 0n;
  private loggedSeq = 0n;
  private acknowledgedSeq = 0n;
  private readonly roomWaiters: Array<() => void> = [];
  private applyTimer: NodeJS.Timeout | undefined;
  private applying: Promise<void> | undefined;
  /** Serializes the writer connection: applies and retention deletes. */
  private writerTurn: Promise<unknown> = Promise.resolve();
  private applyFailure: Error | undefined;
  /** Set by a failed apply: the database is reopened before the next (see engine-reset.ts). */
  private reopenPending = false;

  /** `after` delays opening, e.g. until an earlier drop of the same file has finished. */
  constructor(file: string, after: Promise<void>, options: EngineOptions) {
    this.queryTimeoutMs = options.queryTimeoutMs ?? Number.POSITIVE_INFINITY;
    this.applyIntervalMs = options.applyIntervalMs ?? 100;
    this.readWaitMs = options.readWaitMs ?? 30_000;
    this.barrier = new ReadBarrier(this.readWaitMs);
    this.applyOnClose = options.applyOnClose ?? true;
    this.logger = options.logger ?? consoleLogger;
    this.resources = after.then(() => this.open(file, options));
    this.resources.then(
      (resources) => (this.opened = resources),
      () => {},
    );
    this.queue = new GroupCommitQueue({
      processGroup: async (requests) =>
        (await this.log(requests)).map((value) => ({ status: 'fulfilled', value }) as const),
      maxGroupWeight: MAX_GROUP_POINTS,
    });
  }

  /** Resolves once the instance is open, the registry loaded and the log read; rejects if opening failed. */
  async ready(): Promise<void> {
    this.assertOpen();
    await this.resources;
  }

  /**
   * Resolves once the points are in the write-ahead log and synced (with `noSync`, once written
   * to it, before the sync); they reach the database in the background apply.
   */
  write(
    batch: LineBatch,
    defaultTimeNs: bigint,
    limits: DatabaseLimits,
    atomic = false,
    noSync = false,
  ): Promise<WriteOutcome> {
    this.assertOpen();
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const request: LogWrite = { batch, defaultTimeNs, limits, nowNs, atomic };
    if (!noSync) return this.queue.submit(request, batch.pointCount);
    return new Promise<WriteOutcome>((resolve, reject) => {
      request.acknowledge = resolve;
      this.queue.submit(request, batch.pointCount).then(resolve, reject);
    });
  }

  /**
   * Read your writes: resolves once every write acknowledged before the call is applied to the
   * database, starting the apply at once if it waits. Throws STORAGE_BEHIND after `readWaitMs`,
   * or the signal's reason.
   */
  async caughtUp(signal?: AbortSignal): Promise<void> {
    this.assertOpen();
    await this.resources;
    const seq = this.acknowledgedSeq;
    if (this.appliedSeq >= seq) return;
    const applied = this.barrier.wait(seq, signal, () => this.applyFailure);
    this.startApply();
    await applied;
  }

  /** How a query may use a table reference: only this database's own tables, in schema `main`. Needs `ready`. */
  classify(reference: TableReference): TableVerdict {
    if (reference.catalog !== '') return { kind: 'outside' };
    if (reference.schema !== '' && identifierKey(reference.schema) !== 'main') return { kind: 'outside' };
    const table = this.opened?.registry.get(reference.name);
    return table ? { kind: 'allowed', columns: table.columns.map((column) => column.name) } : { kind: 'missing' };
  }

  /** The measurements acknowledged writes created, from the logged schema (no query runs, nothing waits). */
  async schema(): Promise<MeasurementSchema[]> {
    this.assertOpen();
    const { logged } = await this.resources;
    return measurementSchemas(logged);
  }

  /** Runs an already-validated statement on a pooled query connection, concurrently with writes. */
  async query(sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    this.assertOpen();
    const { queries } = await this.resources;
    this.assertOpen();
    return queries.use((connection) => runQuery(connection, sql, params, this.queryTimeoutMs));
  }

  /** Opens an already-validated statement as a stream holding a pooled connection until it is closed. */
  async openStream(sql: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<QueryStream> {
    this.assertOpen();
    const { queries } = await this.resources;
    this.assertOpen();
    const connection = await queries.acquire();
    return openStatement(connection, sql, params, signal, (healthy) => queries.release(connection, healthy));
  }

  /** Applies what is logged, then deletes rows with `time` before `cutoffNs` in every table; returns how many. */
  async enforceRetention(cutoffNs: bigint): Promise<number> {
    this.assertOpen();
    await this.caughtUp();
    return this.withWriter(async ({ writer, registry }) => {
      let deleted = 0;
      for (const table of registry.all()) {
        const result = await writer.run(
          `DELETE FROM ${quoteIdentifier(table.name)} WHERE "time" < make_timestamp_ns(CAST($cutoff AS BIGINT))`,
          { cutoff: cutoffNs },
        );
        deleted += result.rowsChanged;
      }
      return deleted;
    });
  }

  /**
   * Refuses new work, lets queued writes and running queries finish, applies what is logged (with
   * `discard`, for a drop, it does not) and closes the instance and the log. If the apply fails the
   * log stays, to be replayed on the next open.
   */
  close(discard = false): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.exclusive(async () => {});
      clearTimeout(this.applyTimer);
      const resources = await this.resources.catch(() => undefined);
      if (!resources) return;
      await this.applying?.catch(() => {});
      if (!discard && this.applyOnClose) {
        await this.withWriter((open) => this.applyAll(open)).catch((error: Error) => {
          this.logger.error(
            { err: error, dir: resources.log.dir },
            'closing a database left writes in its write-ahead log; they are applied when it opens again',
          );
        });
      }
      this.barrier.releaseAll();
      await resources.queries.close();
      resources.writer.closeSync();
      await resources.instance.close();
      await resources.log.close(discard ? -1n : this.appliedSeq).catch(() => {});
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new FluxgateError('DATABASE_NOT_FOUND', 'the database was dropped or its storage closed');
  }

  /** Checks a group of writes against the logged schema and appends their stored points as one log record. */
  private async log(requests: readonly LogWrite[]): Promise<WriteOutcome[]> {
    const resources = await this.resources;
    const deadline = Date.now() + this.readWaitMs;
    while (this.unappliedPoints >= MAX_UNAPPLIED_POINTS && !this.closing) {
      this.startApply();
      const left = deadline - Date.now();
      const room = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, left));
        this.roomWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!room) {
        const why = this.applyFailure ? `: ${this.applyFailure.message}` : '';
        throw new FluxgateError(
          'STORAGE_BEHIND',
          `the database has ${this.unappliedPoints} logged points not yet applied and could not take more within ${this.readWaitMs} ms${why}; the write was not stored`,
        );
      }
    }
    const { log, logged } = resources;
    const draft = new WriteDraft(logged);
    const outcomes: WriteOutcome[] = [];
    const entries: Array<{ request: LogWrite; slices: TableSlice[] }> = [];
    let points = 0;
    for (const request of requests) {
      const { outcome, blocks } = draft.planBlocks(request);
      outcomes.push(outcome);
      if (blocks.length === 0) continue;
      points += outcome.written;
      const slices = blocks.map((block) => ({
        table: block.source,
        rows: block.accepted === null ? null : selectedRows(block.accepted, block.acceptedCount),
      }));
      entries.push({ request, slices });
    }
    if (entries.length === 0) return outcomes;
    const seq = log.seq;
    const frame = encodeRecord(
      seq,
      entries.map((entry) => entry.slices),
    );
    await log.append(frame);
    const early = entries.some((entry) => entry.request.acknowledge !== undefined);
    if (early) {
      // What an answered write created is in the schema before the answer (a gateway validates the next query on it).
      draft.applyTo(logged);
      this.acknowledgedSeq = seq;
      requests.forEach((request, index) => {
        request.acknowledge?.(outcomes[index]!);
      });
    }
    try {
      await log.sync();
    } catch (error) {
      // Answered already: a no_sync write may be lost with the sync, as InfluxDB 3 says of it.
      this.acknowledgedSeq = this.loggedSeq;
      this.barrier.settle(this.appliedSeq, this.acknowledgedSeq);
      throw error;
    }
    failpoint('wal.sync.after');
    if (!early) draft.applyTo(logged);
    // The apply stores the rows as planned here (see combineTables); their batches are not changed after.
    this.unapplied.push({ seq, tables: draft.touchedTables, points });
    this.unappliedPoints += points;
    this.loggedSeq = seq;
    this.acknowledgedSeq = seq;
    this.scheduleApply();
    return outcomes;
  }

  /** Starts the apply now if enough points wait, or after the interval. */
  private scheduleApply(): void {
    if (this.unappliedPoints >= APPLY_POINTS || this.barrier.waiting) {
      this.startApply();
      return;
    }
    if (this.applyTimer !== undefined || this.applying) return;
    this.applyTimer = setTimeout(() => this.startApply(), this.applyIntervalMs);
    this.applyTimer.unref?.();
  }

  private startApply(): void {
    clearTimeout(this.applyTimer);
    this.applyTimer = undefined;
    if (this.applying || this.closing || this.unapplied.length === 0) return;
    this.applying = this.withWriter(async (resources) => {
      if (this.reopenPending) await this.reopen(resources);
      await this.applyAll(resources);
    }).then(
      () => {
        this.applying = undefined;
        this.applyFailure = undefined;
        if (this.unapplied.length > 0) this.scheduleApply();
      },
      (error: Error) => {
        this.applying = undefined;
        this.applyFailure = error;
        this.reopenPending = true;
        this.logger.error({ err: error }, 'applying the write-ahead log to the database failed; retrying');
        if (this.closing) return;
        this.applyTimer = setTimeout(() => this.startApply(), APPLY_RETRY_MS);
        this.applyTimer.unref?.();
      },
    );
  }

  /** Applies every logged record, in transactions of up to APPLY_MAX_POINTS points. Under `writerTurn`. */
  private async applyAll(resources: EngineResources): Promise<void> {
    while (this.unapplied.length > 0) {
      let count = 0;
      let points = 0;
      while (count < this.unapplied.length && (count === 0 || points < APPLY_MAX_POINTS)) {
        points += this.unapplied[count]!.points;
        count++;
      }
      const records = this.unapplied.slice(0, count);
      await this.apply(resources, records);
      failpoint('apply.commit.after');
      this.unapplied.splice(0, count);
      this.unappliedPoints -= points;
      for (const resolve of this.roomWaiters.splice(0)) resolve();
      this.barrier.settle(this.appliedSeq, this.acknowledgedSeq);
      await this.queue.exclusive(() => resources.log.release(this.appliedSeq));
    }
  }

  /** Stores records in one transaction that also records the last one's sequence number. */
  private async apply(resources: EngineResources, records: readonly UnappliedRecord[]): Promise<void> {
    const { writer, registry, marks } = resources;
    const tables = combineTables(
      registry,
      records.map((record) => record.tables),
    );
    const seq = records[records.length - 1]!.seq;
    await commitDraft(writer, tables, marks, appliedSeqStatement(seq));
    adoptTables(registry, tables);
    this.appliedSeq = seq;
  }

  /** Discards DuckDB's state of the failed apply; the retry applies exactly the records the file does not hold. */
  private async reopen(resources: EngineResources): Promise<void> {
    const applied = await reopenAfterFailedApply(resources, installQueryMacros);
    this.reopenPending = false;
    while (this.unapplied.length > 0 && this.unapplied[0]!.seq <= applied) {
      this.unappliedPoints -= this.unapplied.shift()!.points;
    }
    if (applied > this.appliedSeq) this.appliedSeq = applied;
  }

  private withWriter<T>(work: (resources: EngineResources) => Promise<T>): Promise<T> {
    const run = this.writerTurn.then(async () => work(await this.resources));
    this.writerTurn = run.catch(() => {});
    return run;
  }

  private async open(file: string, options: EngineOptions): Promise<EngineResources> {
    const { resources, replay } = await openEngine(file, options, this.logger);
    // One by one: a log may hold more records than one call's arguments can (about 120,000).
    for (const record of replay.records) this.unapplied.push(record);
    this.unappliedPoints = replay.points;
    this.appliedSeq = replay.appliedSeq;
    this.loggedSeq = replay.loggedSeq;
    this.acknowledgedSeq = replay.loggedSeq;
    if (replay.records.length > 0) queueMicrotask(() => this.startApply());
    return resources;
  }
}

const consoleLogger: WalLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details),
};

function selectedRows(accepted: Uint8Array, count: number): Int32Array {
  const rows = new Int32Array(count);
  let next = 0;
  for (let row = 0; row < accepted.length; row++) if (accepted[row] === 1) rows[next++] = row;
  return rows;
}
