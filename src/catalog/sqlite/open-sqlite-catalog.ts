import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { KyselyCatalog } from '../kysely-catalog.ts';
import { migrateCatalog } from '../migrate.ts';
import type { CatalogSchema } from '../schema.ts';
import { CatalogSqliteDialect } from './catalog-sqlite-dialect.ts';
import { Checkpointer } from './checkpointer.ts';
import { acquireSqlite } from './shared-connection.ts';
import { sqliteUniqueKey } from './sqlite-unique-key.ts';
import { withStatementCache } from './statement-cache.ts';
import { WalSync } from './wal-sync.ts';

const BUSY_TIMEOUT_MS = 5000;
const IN_MEMORY = ':memory:';

/** Opens (creating if needed) and migrates the catalog in one SQLite file. */
export async function openSqliteCatalog(file: string): Promise<KyselyCatalog> {
  const handle = await acquireSqlite(file, () => connect(file));
  return new KyselyCatalog({
    name: 'sqlite',
    db: handle.db,
    uniqueKeyOf: sqliteUniqueKey,
    async recordChanges(trx, changes) {
      await trx
        .insertInto('catalog_changes')
        .values([...changes])
        .execute();
    },
    committed: () => handle.announce(),
    onChange: (listener) => handle.listeners.add(listener),
    close: () => handle.release(),
  });
}

async function connect(file: string): Promise<Kysely<CatalogSchema>> {
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    database.pragma('journal_mode = WAL');
    // A commit is on disk before the request is answered, so no power loss can bring back a revoked
    // token: NORMAL writes the log, WalSync then fsyncs it off the event loop (FULL would fsync on it).
    // Group commit (../group-commit.ts) spreads the fsync over concurrent changes.
    database.pragma(file === IN_MEMORY ? 'synchronous = FULL' : 'synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    database.close();
    throw error;
  }
  const walSync = new WalSync(database, file === IN_MEMORY ? undefined : file);
  let checkpointer: Checkpointer | undefined;
  const db = new Kysely<CatalogSchema>({
    dialect: new CatalogSqliteDialect({
      database: withStatementCache(database, (statement) => walSync.noteStatement(statement)),
      walSync,
      beforeClose: async () => checkpointer?.close(),
    }),
  });
  try {
    await migrateCatalog(db, 'sqlite');
    // Checkpoints off the event loop (see Checkpointer): the commits on this connection only append.
    if (file !== IN_MEMORY) checkpointer = new Checkpointer(database, file);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
