import type { Migration, MigrationProvider } from 'kysely';
import type { Catalog } from '../catalog.ts';
import { initialMigration } from './0001-initial.ts';
import { usersMigration } from './0002-users.ts';
import { databasePurgeMigration } from './0003-database-purge.ts';
import { nodesMigration } from './0004-nodes.ts';
import { managementPlaneMigration } from './0005-management-plane.ts';
import { auditChainMigration } from './0006-audit-chain.ts';
import { databaseOwnerMigration } from './0007-database-owner.ts';
import { upstreamNameMigration } from './0008-upstream-name.ts';

/** In order; a released migration is never edited, only followed by a new one. */
export function catalogMigrations(dialect: Catalog['dialect']): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial': initialMigration(dialect),
    '0002-users': usersMigration(dialect),
    '0003-database-purge': databasePurgeMigration(),
    '0004-nodes': nodesMigration(),
    '0005-management-plane': managementPlaneMigration(),
    '0006-audit-chain': auditChainMigration(),
    '0007-database-owner': databaseOwnerMigration(),
    '0008-upstream-name': upstreamNameMigration(),
  };
  return { getMigrations: async () => migrations };
}
