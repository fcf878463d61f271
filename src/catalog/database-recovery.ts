import type { Transaction } from 'kysely';
import type { AuditEntry, DatabaseRecord } from './catalog.ts';
import { databaseNotFound } from './catalog-errors.ts';
import { toDatabaseRecord } from './records.ts';
import type { CatalogSchema } from './schema.ts';

type Trx = Transaction<CatalogSchema>;

/** Writes the audit and change-feed rows of a database change inside the same transaction. */
export type DatabaseFinisher = (audit: AuditEntry, id: number, at: number) => Promise<void>;

/**
 * Undelete: the row becomes live again under its name. The live-name unique index refuses it when
 * another live database has the name meanwhile (the caller maps that to DATABASE_EXISTS).
 */
export async function undeleteDatabaseRow(
  trx: Trx,
  id: number,
  audit: AuditEntry,
  finish: DatabaseFinisher,
): Promise<DatabaseRecord> {
  const row = await trx
    .updateTable('databases')
    .set({ deleted_at: null })
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .where('purged_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw databaseNotFound(id);
  await finish(audit, id, audit.at);
  return toDatabaseRecord(row);
}

/** Purge: a deleted database's files are going; only once (a second node's purge finds nothing). */
export async function purgeDatabaseRow(
  trx: Trx,
  id: number,
  at: number,
  audit: AuditEntry,
  finish: DatabaseFinisher,
): Promise<void> {
  const row = await trx
    .updateTable('databases')
    .set({ purged_at: at })
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .where('purged_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (row === undefined) throw databaseNotFound(id);
  await finish(audit, id, at);
}
