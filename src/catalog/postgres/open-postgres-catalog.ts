import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ChangeListeners } from '../change-listeners.ts';
import { KyselyCatalog } from '../kysely-catalog.ts';
import { migrateCatalog } from '../migrate.ts';
import type { CatalogSchema } from '../schema.ts';
import { recordPostgresChanges } from './change-feed.ts';
import { ChangeWatcher } from './change-watcher.ts';
import { withConnectionLossAsUnavailable } from './connection-loss.ts';
import { int8AsNumber } from './int8-as-number.ts';
import { postgresUniqueKey } from './postgres-unique-key.ts';

const POOL_SIZE = 10;

/** Connects to PostgreSQL, migrates, and starts listening for other nodes' changes. */
export async function openPostgresCatalog(url: string): Promise<KyselyCatalog> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    types: int8AsNumber,
    application_name: 'fluxgate-catalog',
  });
  // An idle connection that breaks is dropped by the pool; the next query gets a fresh one.
  pool.on('error', () => {});
  // A checked-out client has no listener of the pool's: without one, a connection that drops while a
  // query runs (pg_terminate_backend, a restart, a failover) is an unhandled 'error' that ends the process.
  // The query itself still fails (and is answered), and the pool discards the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<CatalogSchema>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new ChangeListeners();
  const source = randomUUID();
  const watcher = new ChangeWatcher({ url, source, onChange: () => listeners.emit() });
  try {
    await migrateCatalog(db, 'postgres');
    await watcher.start();
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return withConnectionLossAsUnavailable(
    new KyselyCatalog({
      name: 'postgres',
      db,
      uniqueKeyOf: postgresUniqueKey,
      recordChanges: (trx, changes) => recordPostgresChanges(trx, changes, source),
      committed: () => listeners.emit(),
      onChange: (listener) => listeners.add(listener),
      async close() {
        listeners.clear();
        await watcher.stop();
        await db.destroy();
      },
    }),
  );
}
