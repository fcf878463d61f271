import type { TokenIndex } from '../auth/token-index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { UserDirectory } from './user-directory.ts';

/** Revoked hashes loaded at start (the index remembers at most this many anyway). */
const REMEMBERED_REVOKED = 100_000;

export interface FollowerOptions {
  /** Secrets loaded per catalog page at start. */
  pageSize: number;
  /** The safety net behind change notifications: how often to compare versions. */
  pollMs: number;
  /** How long to wait after a change signal so a burst of changes is applied in one batch. */
  coalesceMs: number;
}

/**
 * Keeps the TokenIndex and the DatabaseDirectory in step with the catalog: loads everything at
 * start, then applies the change feed whenever the catalog signals a change (this process, or
 * other nodes through PostgreSQL LISTEN/NOTIFY) and on a timer as a safety net.
 */
export class CatalogFollower {
  private version = 0;
  private syncing: Promise<void> = Promise.resolve();
  private pending = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When the last successful sync started: every change committed before it is applied. */
  private confirmed = Number.NEGATIVE_INFINITY;
  /** Called after a sync applied changes (the node acknowledges them). */
  onApplied: ((version: number) => void) | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly index: TokenIndex,
    private readonly directory: DatabaseDirectory,
    private readonly now: () => number,
    private readonly options: FollowerOptions,
    private readonly onError: (error: unknown) => void,
    private readonly users?: UserDirectory,
  ) {}

  async start(): Promise<void> {
    this.version = await this.catalog.latestVersion();
    for (const db of await this.catalog.listDatabases({ includeDeleted: true })) this.directory.put(db);
    await this.loadTokens();
    // Revoked tokens stay revoked across restarts: they answer TOKEN_REVOKED, never TOKEN_UNKNOWN.
    this.index.rememberRevoked((await this.catalog.loadRevokedHashes(REMEMBERED_REVOKED, this.now())).reverse());
    if (this.users !== undefined) for (const user of await this.catalog.listUsers()) this.users.put(user);
    this.unsubscribe = this.catalog.onChange(() => this.soon());
    this.timer = setInterval(() => void this.sync(), this.options.pollMs);
    this.timer.unref();
    await this.sync();
  }

  /** Coalesces a burst of change signals into one sync a few milliseconds later. */
  private soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.sync();
    }, this.options.coalesceMs).unref();
  }

  /** Applies every change newer than the last one applied; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.pending) return this.syncing;
    this.pending = true;
    this.syncing = this.syncing.then(async () => {
      this.pending = false;
      const started = this.now();
      const before = this.version;
      try {
        await this.applyChanges();
        this.confirmed = started;
        if (this.version !== before) this.onApplied?.(this.version);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.syncing;
  }

  /** The last change-feed version applied to the index and the directory. */
  get appliedVersion(): number {
    return this.version;
  }

  /** Every change committed before this time (epoch ms) has been applied. */
  get confirmedAt(): number {
    return this.confirmed;
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private async loadTokens(): Promise<void> {
    let afterId = 0;
    for (;;) {
      const page = await this.catalog.loadTokens(afterId, this.options.pageSize, this.now());
      for (const { token, secrets } of page) this.index.put(token, secrets);
      if (page.length < this.options.pageSize) return;
      afterId = page[page.length - 1]!.token.id;
    }
  }

  private async applyChanges(): Promise<void> {
    for (;;) {
      const changes = await this.catalog.changesSince(this.version, 500);
      if (changes.length === 0) return;
      const tokens = new Set<number>();
      const databases = new Set<number>();
      const users = new Set<number>();
      for (const change of changes) {
        const ids = change.entity === 'token' ? tokens : change.entity === 'database' ? databases : users;
        ids.add(change.entityId);
      }
      for (const id of users) {
        const user = await this.catalog.getUser(id);
        if (user !== undefined) this.users?.put(user);
      }
      for (const id of databases) {
        const db = await this.catalog.getDatabase(id);
        if (db !== undefined) this.directory.put(db);
      }
      await this.reloadTokens([...tokens]);
      this.version = changes[changes.length - 1]!.version;
    }
  }

  private reloadTokens(ids: number[]): Promise<void> {
    return this.index.exclusive(async () => {
      const live = await this.catalog.loadTokensById(ids, this.now());
      const liveIds = new Set(live.map((entry) => entry.token.id));
      for (const { token, secrets } of live) this.index.put(token, secrets);
      for (const id of ids) if (!liveIds.has(id)) this.index.revoke(id);
    });
  }
}
