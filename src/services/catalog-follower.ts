import type { TokenIndex } from '../auth/token-index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { DatabaseDirectory } from './database-directory.ts';

export interface FollowerOptions {
  /** Secrets loaded per catalog page at start. */
  pageSize: number;
  /** The safety net behind change notifications: how often to compare versions. */
  pollMs: number;
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
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly index: TokenIndex,
    private readonly directory: DatabaseDirectory,
    private readonly now: () => number,
    private readonly options: FollowerOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.version = await this.catalog.latestVersion();
    for (const db of await this.catalog.listDatabases({ includeDeleted: true })) this.directory.put(db);
    await this.loadTokens();
    this.unsubscribe = this.catalog.onChange(() => void this.sync());
    this.timer = setInterval(() => void this.sync(), this.options.pollMs);
    this.timer.unref();
    await this.sync();
  }

  /** Applies every change newer than the last one applied; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.pending) return this.syncing;
    this.pending = true;
    this.syncing = this.syncing.then(async () => {
      this.pending = false;
      try {
        await this.applyChanges();
      } catch (error) {
        this.onError(error);
      }
    });
    return this.syncing;
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
      for (const change of changes) (change.entity === 'token' ? tokens : databases).add(change.entityId);
      for (const id of databases) {
        const db = await this.catalog.getDatabase(id);
        if (db !== undefined) this.directory.put(db);
      }
      for (const id of tokens) await this.reloadToken(id);
      this.version = changes[changes.length - 1]!.version;
    }
  }

  private async reloadToken(id: number): Promise<void> {
    const token = await this.catalog.getToken(id);
    if (token === undefined || token.revokedAt !== null) {
      this.index.revoke(id);
      return;
    }
    this.index.put(token, await this.catalog.getTokenSecrets(id, this.now()));
  }
}
