import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { KyselyCatalog } from '../kysely-catalog.ts';
import { migrateCatalog } from '../migrate.ts';
import type { CatalogSchema } from '../schema.ts';
import { CatalogSqliteDialect } from './catalog-sqlite-dialect.ts';
import { acquireSqlite } from './shared-connection.ts';
import { sqliteUniqueKey } from './sqlite-unique-key.ts';
import { withStatementCache } from './statement-cache.ts';

const BUSY_TIMEOUT_MS = 5000;
const IN_MEMORY = ':memory:';

/** Opens (creating if needed) and migrates the catalog in one SQLite file. */
export async function openSqliteCatalog(file: string): Promise<KyselyCatalog> {
  const handle = await acquireSqlite(file, () => connect(file));
  return new KyselyCatalog({
    name: 'sqlite',
    db: handle.db,
    uniqueKeyOf: sqliteUniqueKey,
    async recordChange(trx, change) {
      await trx.insertInto('catalog_changes').values(change).execute();
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
    // In WAL mode NORMAL loses no committed data on a process crash, only on power loss, and saves an fsync per commit.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    database.close();
    throw error;
  }
  const db = new Kysely<CatalogSchema>({
    dialect: new CatalogSqliteDialect({ database: withStatementCache(database) }),
  });
  try {
    await migrateCatalog(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
