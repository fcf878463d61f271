import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Catalog } from './catalog.ts';
import type { UniqueKey } from './catalog-errors.ts';
import type { CatalogChangesTable, CatalogSchema } from './schema.ts';

export type ChangeRow = Insertable<CatalogChangesTable>;

/** What differs between the SQLite and PostgreSQL catalogs; everything else is shared Kysely code. */
export interface CatalogDialect {
  readonly name: Catalog['dialect'];
  readonly db: Kysely<CatalogSchema>;
  /** The catalog unique key a driver error violated, or undefined when it is no such violation. */
  uniqueKeyOf(error: unknown): UniqueKey | undefined;
  /** Appends the change-feed rows, in order, inside the mutating transaction (and announces them, where the dialect can). */
  recordChanges(trx: Transaction<CatalogSchema>, changes: readonly ChangeRow[]): Promise<void>;
  /** Called after each mutating transaction has committed. */
  committed(): void;
  onChange(listener: () => void): () => void;
  /** Stops notifications and closes the connections, the Kysely instance included. */
  close(): Promise<void>;
}
