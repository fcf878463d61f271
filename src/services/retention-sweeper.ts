import type { Storage } from '../storage/storage.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import { PeriodicTask } from './periodic-task.ts';

/** Removes rows older than each database's retention period, on a timer. */
export class RetentionSweeper {
  private readonly task = new PeriodicTask(async () => {
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

  constructor(
    private readonly directory: DatabaseDirectory,
    private readonly storage: Storage,
    private readonly nowNs: () => bigint,
    private readonly onError: (error: unknown) => void,
    /** Only databases whose files are here are swept. */
    private readonly ownership?: DatabaseOwnership,
  ) {}

  start(intervalMs: number): void {
    this.task.start(intervalMs, { immediately: false });
  }

  sweep(): Promise<void> {
    return this.task.run();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
