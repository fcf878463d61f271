import type { SystemPrincipal } from '../domain/principal.ts';
import type { DatabaseService } from './database-service.ts';
import { PeriodicTask } from './periodic-task.ts';

/** Purges deleted databases whose recovery window has ended, on a timer. */
export class DatabasePurger {
  private readonly task = new PeriodicTask(async () => {
    try {
      await this.databases.purgeExpired(this.server);
    } catch (error) {
      this.onError(error);
    }
  });

  constructor(
    private readonly databases: DatabaseService,
    private readonly server: SystemPrincipal,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    // Files of databases purged while this node was down go at once.
    this.task.start(intervalMs, { immediately: true });
  }

  sweep(): Promise<void> {
    return this.task.run();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}

/** As often as the retention sweep, but a short recovery window (tests, `0s`) is honoured within a second or so. */
export function purgeIntervalMs(config: { retentionSweepMs: number; databaseRecoveryWindowMs: number }): number {
  return Math.max(1_000, Math.min(config.retentionSweepMs, config.databaseRecoveryWindowMs));
}
