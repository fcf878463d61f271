import { sql, type UpdateObject } from 'kysely';
import type { DatabasePatch, TokenPatch } from './catalog.ts';
import type { CatalogSchema } from './schema.ts';

/** The columns a patch sets: only the fields present, `null` included. */
export function databaseChanges(patch: DatabasePatch): UpdateObject<CatalogSchema, 'databases'> {
  const changes: UpdateObject<CatalogSchema, 'databases'> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.maxTables !== undefined) changes.max_tables = patch.maxTables;
  if (patch.maxColumnsPerTable !== undefined) changes.max_columns_per_table = patch.maxColumnsPerTable;
  if (patch.retentionPeriodMs !== undefined) changes.retention_period_ms = patch.retentionPeriodMs;
  // An empty patch still has to find the row (and is audited): a no-op assignment keeps the statement valid.
  if (Object.keys(changes).length === 0) changes.name = sql<string>`name`;
  return changes;
}

export function tokenChanges(patch: TokenPatch): UpdateObject<CatalogSchema, 'tokens'> {
  const changes: UpdateObject<CatalogSchema, 'tokens'> = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.expiresAt !== undefined) changes.expires_at = patch.expiresAt;
  if (patch.role !== undefined) changes.role = patch.role;
  return changes;
}
