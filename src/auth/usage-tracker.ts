import type { Catalog } from '../catalog/catalog.ts';

/**
 * Gathers last-used times in memory and writes them to the catalog in batches, never a write per
 * request. Listings merge the pending values so they are current on this node.
 */
export class UsageTracker {
  private pending = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly catalog: Pick<Catalog, 'recordLastUsed'>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  touch(tokenId: number, at: number): void {
    this.pending.set(tokenId, at);
  }

  /** The newest known use of a token on this node that may not be in the catalog yet. */
  pendingFor(tokenId: number): number | undefined {
    return this.pending.get(tokenId);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.catalog.recordLastUsed([...batch].map(([tokenId, at]) => ({ tokenId, at })));
      } catch (error) {
        for (const [tokenId, at] of batch) if (!this.pending.has(tokenId)) this.pending.set(tokenId, at);
        this.onError(error);
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
  }
}
