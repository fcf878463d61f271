import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** What `PRAGMA wal_checkpoint` answers: whether it was blocked, frames in the log, frames copied back. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** How often the worker runs a PASSIVE checkpoint. */
  intervalMs?: number;
  /** Ticks in a row with nothing new in the log before it is truncated (the catalog is idle). */
  idleTicks?: number;
  /** A log past this size (bytes) that PASSIVE could not finish is RESTARTed, briefly holding writers back. */
  maxWalBytes?: number;
}

const DEFAULT_INTERVAL_MS = 200;
const DEFAULT_MAX_WAL_BYTES = 64 * 1024 * 1024;
/** A second without a write: a TRUNCATE then rarely meets a writer, who would wait for it. */
const DEFAULT_IDLE_TICKS = 5;
/** How long a RESTART past the size bound waits for the writer (the server's own connection). */
const RESTART_BUSY_MS = 100;

/**
 * The worker's source, plain JavaScript (a worker does not inherit tsx's loader). Its own connection
 * with `synchronous = FULL`: a checkpoint syncs the log before copying it back and the database file
 * before it lets the log be reused, so what it moves is durable before the frames it came from can be
 * overwritten, and a checkpoint never makes an acknowledged commit less durable.
 *
 * Once a checkpoint has copied the whole log back, the next write rewinds the log to its start, and
 * the connection that writes it fsyncs the log's new header first (SQLite does so at every
 * \`synchronous\` level but OFF). Left to the server's connection that fsync ran on the event loop,
 * after nearly every tick under steady writes (\`perf\` on the soak: ~3 a second, up to 18 ms each).
 * So the worker rewinds the log itself, right after such a checkpoint: a one-page write of the
 * header field \`user_version\` set to the value it has (nothing reads it). If the server's connection
 * holds the write lock just then, the worker leaves it (no busy timeout) and that commit rewinds as
 * before. Idle is judged by \`data_version\`, which moves only for commits of other connections, so
 * the worker's own rewinds never count as activity.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
const { file, intervalMs, idleTicks, maxWalBytes, restartBusyMs } = workerData;
const db = new Database(file, { timeout: 0 });
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
let lastVersion = -1;
let idle = 0;
const checkpoint = (mode) => db.pragma('wal_checkpoint(' + mode + ')')[0];
const walBytes = () => { try { return statSync(file + '-wal').size; } catch { return 0; } };
/** Whether another connection committed since the last call (data_version ignores our own). */
function othersWrote() {
  const version = db.pragma('data_version', { simple: true });
  const changed = version !== lastVersion;
  lastVersion = version;
  return changed;
}
/** Rewinds a fully copied-back log here, so the server's next commit appends and does not start it over. */
function rewind() {
  // OFF for this write alone: it changes nothing, so it needs no sync, and the header it writes is
  // synced with the server's next commit (WalSync). At NORMAL the header's fsync ran under the write
  // lock, and a commit of the server's slept for it on the event loop: beside heavy disk writes up to
  // 180 ms in SQLite's busy handler (perf on bench/soak.bench.ts beside a dd loop).
  db.pragma('synchronous = OFF');
  try {
    db.pragma('user_version = ' + db.pragma('user_version', { simple: true }));
  } catch (error) {
    if (!(error && String(error.code).startsWith('SQLITE_BUSY'))) throw error;
  } finally {
    db.pragma('synchronous = FULL');
  }
}
function tick() {
  const wrote = othersWrote();
  let result = checkpoint('PASSIVE');
  idle = wrote ? 0 : idle + 1;
  const caughtUp = result.log > 0 && result.checkpointed === result.log;
  if (caughtUp && idle >= idleTicks) {
    // Nothing written for idleTicks ticks and all of it copied back: idle, so give the file back.
    // With no busy timeout this never waits for a writer; a writer that comes meanwhile waits for
    // a truncate of a log that holds nothing more to copy.
    result = checkpoint('TRUNCATE');
  } else if (caughtUp && wrote) {
    rewind();
  } else if (result.checkpointed !== result.log && walBytes() > maxWalBytes) {
    db.pragma('busy_timeout = ' + restartBusyMs);
    try { result = checkpoint('RESTART'); } finally { db.pragma('busy_timeout = 0'); }
    if (result.busy === 0 && result.checkpointed === result.log) rewind();
  }
  return result;
}
function safeTick() {
  try { return { result: tick() }; } catch (error) { return { error: String(error && error.message) }; }
}
const timer = setInterval(() => {
  const outcome = safeTick();
  if (outcome.error !== undefined) parentPort.postMessage({ kind: 'error', error: outcome.error });
}, intervalMs);
parentPort.on('message', (message) => {
  if (message.kind === 'now') {
    parentPort.postMessage({ kind: 'done', id: message.id, ...safeTick() });
  } else if (message.kind === 'close') {
    clearInterval(timer);
    safeTick();
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ kind: 'ready' });
`;

/**
 * Runs SQLite's WAL checkpoints on a worker thread instead of inside a commit on the event loop. With
 * the server's connection at `wal_autocheckpoint = 0` its commits only append to the log; this worker,
 * with a connection of its own to the same file, copies the log back every `intervalMs` (PASSIVE:
 * writers and readers go on meanwhile), truncates it when the catalog is idle, and RESTARTs it when it
 * grew past `maxWalBytes` because writes never paused. The writer itself rewinds the log once a
 * checkpoint has caught up, so the file stays bounded. Should the worker fail, the server's connection
 * takes its automatic checkpoint back, so the log never grows without bound.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private waiting = 0;
  private readonly exited: Promise<void>;
  private closing: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(database: BetterSqlite3.Database, file: string, options: CheckpointerOptions = {}) {
    database.pragma('wal_autocheckpoint = 0');
    // While this worker checkpoints, the server's connection syncs nothing itself. At NORMAL it still
    // synced the log's header whenever a commit started the log over, inside the commit on the event
    // loop: beside heavy disk writes one such fsync took 160 ms (perf on bench/soak.bench.ts beside a
    // dd loop). WalSync's fdatasync after every commit syncs the whole log, header included, before
    // anything is answered; NORMAL's other syncs belong to checkpoints, which are this worker's, at
    // FULL, and the log starts over only once such a checkpoint has synced the database file.
    const level = database.pragma('synchronous', { simple: true }) as number;
    database.pragma('synchronous = OFF');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
        idleTicks: options.idleTicks ?? DEFAULT_IDLE_TICKS,
        maxWalBytes: options.maxWalBytes ?? DEFAULT_MAX_WAL_BYTES,
        restartBusyMs: RESTART_BUSY_MS,
      },
    });
    // The worker's timer keeps no process alive (the catalog's close ends it); a caller awaiting an
    // answer from it does, while it waits (see held).
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', reject);
    });
    this.ready.catch(() => {});
    this.worker.on('message', (message: { kind: string; id?: number; result?: CheckpointResult; error?: string }) => {
      if (message.kind === 'error') this.lastError = message.error;
      if (message.kind !== 'done' || message.id === undefined) return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.result !== undefined) waiter?.resolve(message.result);
      else waiter?.reject(new Error(`checkpoint failed: ${message.error}`));
    });
    this.worker.on('error', (error) => {
      this.lastError = error.message;
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('exit', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('the checkpoint worker has stopped'));
      this.pending.clear();
      // The server's connection checkpoints again (as it closes, or automatically when the worker
      // failed): its own syncs first. SQLite refuses to change them inside a transaction.
      const takeBack = () => {
        if (!database.open) return;
        if (database.inTransaction) {
          setTimeout(takeBack, 5).unref();
          return;
        }
        database.pragma(`synchronous = ${level}`);
        if (this.closing === undefined) database.pragma('wal_autocheckpoint = 1000');
      };
      takeBack();
    });
  }

  /** The last error a checkpoint met, if any (they are retried on the next tick). */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Runs one tick now, on the worker, and answers what its checkpoint did. */
  checkpointNow(): Promise<CheckpointResult> {
    return this.held(async () => {
      await this.ready;
      const id = this.nextId++;
      return new Promise<CheckpointResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker.postMessage({ kind: 'now', id });
      });
    });
  }

  /** Keeps the process alive while `work` waits for the worker. */
  private async held<T>(work: () => Promise<T>): Promise<T> {
    this.waiting++;
    this.worker.ref();
    try {
      return await work();
    } finally {
      if (--this.waiting === 0) this.worker.unref();
    }
  }

  /** A last checkpoint, then the worker's connection closes; the server's connection closes after. */
  close(): Promise<void> {
    this.closing ??= this.held(async () => {
      try {
        await this.ready;
        this.worker.postMessage({ kind: 'close' });
      } catch {
        await this.worker.terminate();
      }
      await this.exited;
    });
    return this.closing;
  }
}
