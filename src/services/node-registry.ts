import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import type { CatalogFollower } from './catalog-follower.ts';

export interface NodeRegistryOptions {
  /** How often this node syncs with the catalog and heartbeats. */
  heartbeatMs: number;
  /** A node whose last heartbeat is older than this is not live: nobody waits for it. */
  liveMs: number;
  /** A node that has not confirmed its index against the catalog for this long checks before accepting a token. */
  freshMs: number;
  /** How long a revoke waits for the other live nodes to acknowledge it. */
  confirmTimeoutMs: number;
  /** How long a token check waits for a stale index to catch up before trusting it as it is. */
  refreshTimeoutMs: number;
}

export const DEFAULT_NODE_OPTIONS: NodeRegistryOptions = {
  heartbeatMs: 250,
  liveMs: 3_000,
  freshMs: 1_000,
  confirmTimeoutMs: 2_000,
  refreshTimeoutMs: 1_000,
};

export interface Propagation {
  /** Live nodes that had applied every change up to now in time, and those that had not. */
  confirmed: string[];
  unconfirmed: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * This node in the catalog's nodes table: it heartbeats with how far it has applied the change feed
 * (which acknowledges each change it applies), lets a revoke wait until every live node has applied
 * it, and knows how fresh its own index is. Used with a shared (PostgreSQL) catalog only.
 */
export class NodeRegistry {
  readonly id: string;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private again = false;
  private refreshing: Promise<void> | undefined;
  private refreshFailedAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly startedAt: number;

  constructor(
    private readonly catalog: Catalog,
    private readonly follower: CatalogFollower,
    private readonly now: () => number,
    private readonly address: () => string,
    private readonly options: NodeRegistryOptions,
    private readonly onError: (error: unknown) => void,
    /** Stable across restarts when given (database owners name it); a fresh one per process otherwise. */
    id?: string,
  ) {
    this.id = id ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.startedAt = now();
  }

  async start(): Promise<void> {
    this.follower.onApplied = () => void this.beat();
    await this.follower.sync();
    await this.beat();
    await this.forgetLongGone();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.follower.onApplied = undefined;
    await this.beating;
    await this.catalog.removeNode(this.id).catch(this.onError);
  }

  /** Whether every change committed up to `freshMs` ago is known to be applied here. */
  fresh(now: number): boolean {
    return now - this.follower.confirmedAt <= this.options.freshMs;
  }

  /**
   * Brings the index up to date with the catalog, waiting at most `refreshTimeoutMs`. A catalog that
   * cannot be reached is not waited for again for a while: the index is then trusted as it is.
   */
  refresh(): Promise<void> {
    if (this.now() - this.refreshFailedAt < this.options.refreshTimeoutMs) return Promise.resolve();
    this.refreshing ??= (async () => {
      const before = this.follower.confirmedAt;
      await Promise.race([this.follower.sync(), sleep(this.options.refreshTimeoutMs)]);
      if (this.follower.confirmedAt === before) this.refreshFailedAt = this.now();
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Waits until every other live node has applied every change committed so far, or the timeout. */
  async confirm(): Promise<Propagation> {
    const version = await this.catalog.latestVersion();
    const deadline = this.now() + this.options.confirmTimeoutMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 25)) {
      const nodes = (await this.catalog.listNodes(this.now() - this.options.liveMs)).filter((n) => n.id !== this.id);
      const behind = nodes.filter((node) => node.appliedVersion < version).map((node) => node.id);
      if (behind.length === 0 || this.now() >= deadline) {
        return { confirmed: nodes.map((node) => node.id).filter((id) => !behind.includes(id)), unconfirmed: behind };
      }
      await sleep(wait);
    }
  }

  /** Rows of nodes that died without removing themselves (killed, crashed), gone for an hour. */
  private async forgetLongGone(): Promise<void> {
    const cutoff = this.now() - 3_600_000;
    try {
      for (const node of await this.catalog.listNodes(0)) {
        if (node.heartbeatAt < cutoff) await this.catalog.removeNode(node.id);
      }
    } catch (error) {
      this.onError(error);
    }
  }

  private async tick(): Promise<void> {
    await this.follower.sync();
    await this.beat();
  }

  /** One heartbeat at a time; a request for another while one runs is folded into one more after it. */
  private beat(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.beating !== undefined) {
      this.again = true;
      return this.beating;
    }
    this.beating = (async () => {
      do {
        this.again = false;
        await this.catalog
          .heartbeatNode({
            id: this.id,
            address: this.address(),
            startedAt: this.startedAt,
            heartbeatAt: this.now(),
            appliedVersion: this.follower.appliedVersion,
          })
          .catch(this.onError);
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }
}
