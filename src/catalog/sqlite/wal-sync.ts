import { fstatSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Makes each commit durable without blocking the event loop. SQLite's `synchronous = FULL` fsyncs the
 * write-ahead log inside the commit, on the one JavaScript thread: under a busy disk that stalled
 * every request (/health included) for up to 100 ms per commit (measured in bench/soak.bench.ts). With
 * `synchronous = NORMAL` (OFF while the Checkpointer runs, so that not even the log's header is synced
 * in a commit) the commit only writes the log; this then `fdatasync`s the log on libuv's
 * thread pool, and the statement that committed resolves only after it, so nothing is answered (nor
 * announced to the change feed) before it is on disk, as with FULL. Linux syncs a file's pages
 * whichever descriptor wrote them, so a read-only descriptor of our own serves. Each sync first checks
 * that the descriptor is still the file at the log's path (SQLite deletes the log when the last
 * connection closes, and a later one makes a new file): a sync of a stale one would sync nothing.
 * That check is two synchronous stat calls (microseconds, no disk wait: the inode is cached), not
 * two more trips through libuv's thread pool: under the soak every submission to the pool could
 * stall the event loop for up to ~90 ms in glibc's pthread_cond_signal while the pool's threads
 * waited for a CPU (bench/soak.bench.ts; `perf` on the main thread's off-CPU time), so only the
 * fdatasync itself, which does wait for the disk, goes there.
 */
export class WalSync {
  private dirty = false;
  private handle: Promise<FileHandle> | undefined;

  constructor(
    private readonly database: BetterSqlite3.Database,
    /** The database file; none for an in-memory database, which has nothing to sync. */
    private readonly file: string | undefined,
  ) {}

  /** Told of every statement about to run: a statement that can write leaves the log to sync. */
  noteStatement(statement: BetterSqlite3.Statement): void {
    if (!statement.readonly) this.dirty = true;
  }

  /** After a statement: once the writes since the last sync are committed, syncs the log. */
  async settle(): Promise<void> {
    if (!this.dirty || this.database.inTransaction || this.file === undefined) return;
    this.dirty = false;
    try {
      const handle = await this.current(this.file);
      await handle.datasync();
    } catch (error) {
      this.dirty = true;
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.then((h) => h.close()).catch(() => {});
  }

  /** The descriptor of the file now at the log's path, reopened if the log was replaced. */
  private async current(file: string): Promise<FileHandle> {
    const handle = await this.open(file);
    const held = fstatSync(handle.fd);
    const named = statSync(`${file}-wal`);
    if (held.ino === named.ino && held.dev === named.dev) return handle;
    await this.close();
    return this.open(file);
  }

  private open(file: string): Promise<FileHandle> {
    this.handle ??= (async () => {
      const handle = await open(`${file}-wal`, 'r');
      // The log's directory entry must be durable too, once (SQLite creates the file on first use).
      const directory = await open(dirname(file), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
      return handle;
    })();
    const opening = this.handle;
    opening.catch(() => {
      if (this.handle === opening) this.handle = undefined;
    });
    return opening;
  }
}
