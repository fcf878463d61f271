import type { SystemPrincipal } from '../domain/principal.ts';
import type { DatabaseService } from './database-service.ts';

/** Purges deleted databases whose recovery window has ended, on a timer (the shape of RetentionSweeper). */
export class DatabasePurger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly databases: DatabaseService,
    private readonly server: SystemPrincipal,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
    // Files of databases purged while this node was down go at once.
    void this.sweep();
  }

  sweep(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        await this.databases.purgeExpired(this.server);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }
}

/** As often as the retention sweep, but a short recovery window (tests, `0s`) is honoured within a second or so. */
export function purgeIntervalMs(config: { retentionSweepMs: number; databaseRecoveryWindowMs: number }): number {
  return Math.max(1_000, Math.min(config.retentionSweepMs, config.databaseRecoveryWindowMs));
}
