import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type { WalSync } from './wal-sync.ts';

/**
 * Kysely's SQLite dialect with two changes. Transactions begin IMMEDIATE, taking the write lock up
 * front: a transaction that reads before it writes cannot then fail with SQLITE_BUSY when another
 * process (a CLI command, say) holds the file, it waits for busy_timeout instead. And migrations run
 * in one transaction (SQLite has transactional DDL), so two processes starting on a new file
 * serialize and a crash mid-migration leaves nothing half-applied. With a `walSync`, a statement
 * that commits resolves only once the log is on disk (see WalSync), still holding the connection.
 * `beforeClose` runs before the connection closes (the checkpoint worker closes its own first).
 */
export class CatalogSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #walSync: WalSync | undefined;
  readonly #beforeClose: (() => Promise<void>) | undefined;

  constructor(config: SqliteDialectConfig & { walSync?: WalSync; beforeClose?: () => Promise<void> }) {
    super(config);
    this.#config = config;
    this.#walSync = config.walSync;
    this.#beforeClose = config.beforeClose;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#walSync, this.#beforeClose);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #durable = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    config: SqliteDialectConfig,
    private readonly walSync: WalSync | undefined,
    private readonly beforeClose: (() => Promise<void>) | undefined,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    const walSync = this.walSync;
    if (walSync === undefined) return connection;
    let durable = this.#durable.get(connection);
    if (durable === undefined) {
      durable = {
        async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          const result = await connection.executeQuery<R>(query);
          await walSync.settle();
          return result;
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      this.#durable.set(connection, durable);
    }
    return durable;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async destroy(): Promise<void> {
    await this.beforeClose?.();
    await super.destroy();
    await this.walSync?.close();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
