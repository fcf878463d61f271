import type { Kysely, Migration } from 'kysely';

/**
 * The management plane: a management token's role (null for every other kind), and the account and
 * cluster ids the Dedicated-style paths carry, one row shared by every node of the catalog.
 */
export function managementPlaneMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('role', 'text').execute();
      await db.schema
        .createTable('cluster_identity')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('account_id', 'text', (col) => col.notNull())
        .addColumn('cluster_id', 'text', (col) => col.notNull())
        .execute();
    },
  };
}
