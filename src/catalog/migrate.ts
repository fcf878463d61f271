import { type Kysely, Migrator } from 'kysely';
import type { Catalog } from './catalog.ts';
import { catalogMigrations } from './migrations/provider.ts';
import type { CatalogSchema } from './schema.ts';

/**
 * Brings the schema to the latest version. Safe to run on every start and from several nodes or
 * processes at once: the pending steps run in one transaction under a lock (an advisory lock on
 * PostgreSQL, the write lock of BEGIN IMMEDIATE on SQLite) and applied steps are skipped.
 * A store migrated by newer code, with steps this code does not know, is refused.
 */
export async function migrateCatalog(db: Kysely<CatalogSchema>, dialect: Catalog['dialect']): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: catalogMigrations(dialect),
    migrationTableName: 'catalog_migration',
    migrationLockTableName: 'catalog_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  // Failing before any migration ran (no connection, say) is not a migration's fault.
  if (failed === undefined) throw error;
  const reason = error instanceof Error ? error.message : String(error);
  throw new Error(`catalog migration ${failed} failed: ${reason}`, { cause: error });
}
