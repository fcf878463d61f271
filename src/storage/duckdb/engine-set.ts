import type { DatabaseEngine } from './database-engine.ts';
import type { WalFileSystem, WalLogger } from './write-ahead-log.ts';

export interface EngineSettings {
  /**
   * Whether the databases share one DuckDB instance, each ATTACHed to it (default true): a database
   * then costs about 0.2 MB and no thread, instead of 2.7 MB and `threads - 1` threads for an
   * instance of its own. `memoryLimit` and `threads` are then the shared instance's.
   */
  sharedInstance?: boolean;
  /** DuckDB `memory_limit` of the shared instance, or of each database's own, e.g. `64MB`. */
  memoryLimit?: string;
  /** DuckDB `threads` of the shared instance, or of each database's own. */
  threads?: number;
  /** An engine nothing has used for this long is closed (its file stays); the next use opens it again. */
  idleTimeoutMs?: number;
  /** At most this many engines stay open; opening one more first closes the least recently used idle one. */
  maxOpen?: number;
  /** Where the write-ahead logs' file operations go (tests inject failures here). */
  walFiles?: WalFileSystem;
  /** Where torn log records and failed applies are reported (the server's logger). */
  logger?: WalLogger;
  /** How long logged writes wait at most before the background apply (default 100 ms). */
  applyIntervalMs?: number;
  /**
   * Whether closing an engine (idle, release, shutdown) first applies its log (default true). With
   * false, closing is quick and the log is replayed on the next open instead, as after a crash.
   */
  applyOnClose?: boolean;
}

interface Entry {
  engine: DatabaseEngine;
  /** Calls and streams using the engine now: an engine in use is never closed for idleness. */
  leases: number;
  lastUsed: number;
}

export interface EngineLease {
  readonly engine: DatabaseEngine;
  release(): void;
}

/**
 * The open engines of a storage, by database id. Engines open on first use and close when idle
 * or when `maxOpen` is passed; an engine being closed finishes before its file is opened again.
 */
export class EngineSet {
  private readonly entries = new Map<number, Entry>();
  private readonly closings = new Map<number, Promise<void>>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: EngineSettings,
    private readonly create: (dbId: number, after: Promise<void>) => DatabaseEngine,
    private readonly now: () => number = Date.now,
  ) {
    const idle = settings.idleTimeoutMs;
    if (idle !== undefined && Number.isFinite(idle) && idle > 0) {
      this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(idle / 2, 10_000)));
      this.timer.unref();
    }
  }

  has(dbId: number): boolean {
    return this.entries.has(dbId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The engine of a database, opened if need be, held open until `release`. */
  lease(dbId: number): EngineLease {
    let entry = this.entries.get(dbId);
    if (!entry) {
      this.makeRoom();
      const engine = this.create(dbId, this.closings.get(dbId) ?? Promise.resolve());
      const created: Entry = { engine, leases: 0, lastUsed: this.now() };
      entry = created;
      this.entries.set(dbId, created);
      // A failed open is not kept: the next call tries again.
      engine.ready().catch(() => {
        if (this.entries.get(dbId) === created) this.entries.delete(dbId);
      });
    }
    const held = entry;
    held.leases++;
    held.lastUsed = this.now();
    let released = false;
    return {
      engine: held.engine,
      release: () => {
        if (released) return;
        released = true;
        held.leases--;
        held.lastUsed = this.now();
      },
    };
  }

  async use<T>(dbId: number, work: (engine: DatabaseEngine) => Promise<T>): Promise<T> {
    const lease = this.lease(dbId);
    try {
      return await work(lease.engine);
    } finally {
      lease.release();
    }
  }

  /** Forgets a database's engine (for a drop, which closes it) and returns it. */
  remove(dbId: number): DatabaseEngine | undefined {
    const entry = this.entries.get(dbId);
    this.entries.delete(dbId);
    return entry?.engine;
  }

  /** Resolves once an idle close of the database's engine, if one is under way, has finished. */
  closed(dbId: number): Promise<void> {
    return this.closings.get(dbId) ?? Promise.resolve();
  }

  /** Closes the engines unused for `idleTimeoutMs`. */
  sweep(): void {
    const idle = this.settings.idleTimeoutMs ?? Number.POSITIVE_INFINITY;
    const cutoff = this.now() - idle;
    for (const [dbId, entry] of this.entries) {
      if (entry.leases === 0 && entry.lastUsed <= cutoff) this.closeEntry(dbId, entry);
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    const engines = [...this.entries.values()].map((entry) => entry.engine);
    this.entries.clear();
    await Promise.all([...engines.map((engine) => engine.close()), ...this.closings.values()]);
  }

  /** Below `maxOpen`, by closing idle engines least recently used first; engines in use stay. */
  private makeRoom(): void {
    const max = this.settings.maxOpen ?? Number.POSITIVE_INFINITY;
    if (this.entries.size < max) return;
    const idle = [...this.entries].filter(([, entry]) => entry.leases === 0);
    idle.sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [dbId, entry] of idle) {
      if (this.entries.size < max) break;
      this.closeEntry(dbId, entry);
    }
  }

  private closeEntry(dbId: number, entry: Entry): void {
    this.entries.delete(dbId);
    const previous = this.closings.get(dbId) ?? Promise.resolve();
    const closing = previous.then(() => entry.engine.close()).catch(() => {});
    this.closings.set(dbId, closing);
    void closing.then(() => {
      if (this.closings.get(dbId) === closing) this.closings.delete(dbId);
    });
  }
}
