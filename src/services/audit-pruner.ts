import type { Catalog } from '../catalog/catalog.ts';
import { PeriodicTask } from './periodic-task.ts';

const HOUR_MS = 3_600_000;

/**
 * Prunes audit entries older than the retention (`serve --audit-retention`), on a timer and once at
 * start. The catalog keeps the last pruned hash as the chain's anchor, so what stays verifies.
 */
export class AuditPruner {
  private readonly task = new PeriodicTask(async () => {
    try {
      await this.catalog.pruneAudit(this.now() - this.retentionMs);
    } catch (error) {
      this.onError(error);
    }
  });

  constructor(
    private readonly catalog: Catalog,
    private readonly retentionMs: number,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Hourly, or as often as the retention when it is shorter (never more than once a second). */
  start(intervalMs = Math.max(1_000, Math.min(HOUR_MS, this.retentionMs))): void {
    this.task.start(intervalMs, { immediately: true });
  }

  prune(): Promise<void> {
    return this.task.run();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
