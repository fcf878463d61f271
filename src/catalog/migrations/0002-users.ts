import { type Kysely, type Migration, sql } from 'kysely';
import type { Catalog } from '../catalog.ts';

type Dialect = Catalog['dialect'];

/**
 * People who sign in through the identity provider: one row per subject, with the group (role)
 * they act in. A removed user keeps the row (removed_at), so a group claim cannot bring them back
 * on their own; only an Admin's `user add` does. The change feed learns the entity 'user'.
 */
export function usersMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const users = db.schema.createTable('users');
      await (dialect === 'sqlite'
        ? users.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement())
        : users.addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
      )
        .addColumn('subject', 'text', (col) => col.notNull().unique())
        .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('admin', 'member', 'auditor')`))
        .addColumn('source', 'text', (col) => col.notNull().check(sql`source in ('startup', 'claim', 'manual')`))
        .addColumn('email', 'text')
        .addColumn('display_name', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint')
        .addColumn('disabled_at', 'bigint')
        .addColumn('removed_at', 'bigint')
        .addColumn('last_seen_at', 'bigint')
        .execute();
      await allowChangeEntities(db, dialect, ['token', 'database', 'user']);
    },
  };
}

/** Widens the change feed's entity check; SQLite cannot alter a check, so the table is rebuilt. */
async function allowChangeEntities(db: Kysely<unknown>, dialect: Dialect, entities: string[]): Promise<void> {
  const allowed = sql.join(entities.map((entity) => sql.lit(entity)));
  if (dialect === 'postgres') {
    await sql`alter table catalog_changes drop constraint catalog_changes_entity_check`.execute(db);
    await sql`alter table catalog_changes add constraint catalog_changes_entity_check check (entity in (${allowed}))`.execute(
      db,
    );
    return;
  }
  await sql`create table catalog_changes_next (
    version integer primary key autoincrement,
    entity text not null check (entity in (${allowed})),
    entity_id bigint not null,
    at bigint not null
  )`.execute(db);
  await sql`insert into catalog_changes_next (version, entity, entity_id, at)
    select version, entity, entity_id, at from catalog_changes`.execute(db);
  await sql`drop table catalog_changes`.execute(db);
  await sql`alter table catalog_changes_next rename to catalog_changes`.execute(db);
}
