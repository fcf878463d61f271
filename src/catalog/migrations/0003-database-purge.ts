import type { Kysely, Migration } from 'kysely';

/**
 * A deleted database keeps its row and its files for the recovery window, when it can still be
 * undeleted; `purged_at` records when its files went (after which it cannot). The row itself stays,
 * so grants that named it still show a name.
 */
export function databasePurgeMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('databases').addColumn('purged_at', 'bigint').execute();
    },
  };
}
