import { type Kysely, type Migration, sql } from 'kysely';

/**
 * A gateway keeps a database's data on an upstream engine under `upstream_name`: set once at create
 * (the fluxgate name, or `<name>-<id>` when an earlier database already used that name upstream),
 * never changed by a rename, never reused, so a re-created name cannot reach an old database's data.
 * Existing rows get their name (the newest row of each name) or `<name>-<id>`.
 */
export function upstreamNameMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('databases').addColumn('upstream_name', 'text').execute();
      await sql`UPDATE databases SET upstream_name = name WHERE id IN (SELECT max(id) FROM databases GROUP BY name)`.execute(
        db,
      );
      await sql`UPDATE databases SET upstream_name = name || '-' || CAST(id AS TEXT) WHERE upstream_name IS NULL`.execute(
        db,
      );
      await db.schema.createIndex('databases_upstream_name').on('databases').column('upstream_name').unique().execute();
    },
  };
}
