import type { Kysely, Migration } from 'kysely';

/**
 * The nodes serving one catalog: each registers at start and heartbeats, saying how far it has
 * applied the change feed. A revoke waits until every live node has applied it (or names those that
 * did not), and a node that stops heartbeating drops out of "live" by itself.
 */
export function nodesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('address', 'text', (col) => col.notNull())
        .addColumn('started_at', 'bigint', (col) => col.notNull())
        .addColumn('heartbeat_at', 'bigint', (col) => col.notNull())
        .addColumn('applied_version', 'bigint', (col) => col.notNull())
        .execute();
    },
  };
}
