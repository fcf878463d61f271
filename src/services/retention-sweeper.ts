import type { Storage } from '../storage/storage.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';

/** Removes rows older than each database's retention period, on a timer. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly directory: DatabaseDirectory,
    private readonly storage: Storage,
    private readonly nowNs: () => bigint,
    private readonly onError: (error: unknown) => void,
    /** Only databases whose files are here are swept. */
    private readonly ownership?: DatabaseOwnership,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  sweep(): Promise<void> {
    this.running = this.running.then(async () => {
      // An upstream engine keeps its own retention; there is nothing for us to sweep.
      if (this.storage.absent.has('retention')) return;
      for (const db of this.directory.live()) {
        if (db.retentionPeriodMs === null || !(this.ownership?.isHere(db) ?? true)) continue;
        try {
          await this.storage.enforceRetention(toStorageDatabase(db), this.nowNs());
        } catch (error) {
          this.onError(error);
        }
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}
