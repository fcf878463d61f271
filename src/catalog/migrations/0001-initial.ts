import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type Migration, sql } from 'kysely';
import type { Catalog } from '../catalog.ts';

type Dialect = Catalog['dialect'];

/**
 * Surrogate ids that are never reused, even after the newest row goes away: SQLite needs
 * AUTOINCREMENT for that (a plain rowid reuses max+1); a PostgreSQL identity never goes back.
 */
function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect, column = 'id') {
  return dialect === 'sqlite'
    ? table.addColumn(column, 'integer', (col) => col.primaryKey().autoIncrement())
    : table.addColumn(column, 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity());
}

const notNull = (col: ColumnDefinitionBuilder) => col.notNull();

export function initialMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await withId(db.schema.createTable('databases'), dialect)
        .addColumn('name', 'text', notNull)
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('deleted_at', 'bigint')
        .addColumn('max_tables', 'integer', notNull)
        .addColumn('max_columns_per_table', 'integer', notNull)
        .addColumn('retention_period_ms', 'bigint')
        .execute();
      await db.schema
        .createIndex('databases_live_name')
        .on('databases')
        .column('name')
        .unique()
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();

      await withId(db.schema.createTable('tokens'), dialect)
        .addColumn('kind', 'text', (col) =>
          col.notNull().check(sql`kind in ('operator', 'admin', 'management', 'database')`),
        )
        .addColumn('name', 'text', notNull)
        .addColumn('description', 'text')
        .addColumn('hint', 'text', notNull)
        .addColumn('created_at', 'bigint', notNull)
        .addColumn('created_by', 'bigint')
        .addColumn('updated_at', 'bigint')
        .addColumn('updated_by', 'bigint')
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('tokens_live_name')
        .on('tokens')
        .column('name')
        .unique()
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();

      const secrets = db.schema
        .createTable('token_secrets')
        .addColumn('hash', 'text', (col) => col.primaryKey())
        .addColumn('token_id', 'bigint', (col) => col.notNull().references('tokens.id'))
        .addColumn('retires_at', 'bigint');
      // The hash is the lookup key of every authentication: let SQLite keep the rows in its index.
      await (dialect === 'sqlite' ? secrets.modifyEnd(sql`without rowid`) : secrets).execute();
      await db.schema.createIndex('token_secrets_token_id').on('token_secrets').column('token_id').execute();

      await db.schema
        .createTable('token_grants')
        .addColumn('token_id', 'bigint', (col) => col.notNull().references('tokens.id'))
        .addColumn('position', 'integer', notNull)
        .addColumn('type', 'text', (col) => col.notNull().check(sql`type in ('admin', 'db', 'system')`))
        .addColumn('databases', 'text')
        .addColumn('actions', 'integer')
        .addColumn('resources', 'integer')
        .addPrimaryKeyConstraint('token_grants_pkey', ['token_id', 'position'])
        .execute();

      await withId(db.schema.createTable('audit_log'), dialect)
        .addColumn('at', 'bigint', notNull)
        .addColumn('actor_token_id', 'bigint')
        .addColumn('actor_name', 'text')
        .addColumn('action', 'text', notNull)
        .addColumn('target_kind', 'text', notNull)
        .addColumn('target_id', 'bigint')
        .addColumn('target_name', 'text')
        .addColumn('outcome', 'text', notNull)
        .addColumn('source_ip', 'text')
        .addColumn('details', 'text', notNull)
        .execute();

      await withId(db.schema.createTable('catalog_changes'), dialect, 'version')
        .addColumn('entity', 'text', (col) => col.notNull().check(sql`entity in ('token', 'database')`))
        .addColumn('entity_id', 'bigint', notNull)
        .addColumn('at', 'bigint', notNull)
        .execute();
    },
  };
}
