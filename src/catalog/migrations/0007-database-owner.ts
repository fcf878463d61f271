import type { Kysely, Migration } from 'kysely';

/**
 * On a shared (PostgreSQL) catalog with embedded storage, a database's files live on one node only:
 * `owner_node` names it (the node that created the database), and every other node refuses the
 * database's writes and queries instead of keeping a diverging copy. Null on a one-node (SQLite)
 * catalog, and for databases created before this migration.
 */
export function databaseOwnerMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('databases').addColumn('owner_node', 'text').execute();
    },
  };
}
