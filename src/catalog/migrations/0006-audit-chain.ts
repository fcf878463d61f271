import type { Kysely, Migration } from 'kysely';
import { auditHash, GENESIS_HASH } from '../audit-hash.ts';
import type { CatalogSchema } from '../schema.ts';

const BACKFILL_PAGE = 1000;

/**
 * The hash-chained audit log: each row gets its position (`seq`), the hash of the row before it and
 * its own hash, plus what aggregation and the contract add (actor kind, request id, count, first and
 * last time). `audit_head` is the one row every append locks and moves: the last seq and hash (so a
 * removal of the newest rows shows) and the anchor left by pruning. Rows already there are chained
 * in id order.
 */
export function auditChainMigration(): Migration {
  return {
    async up(untyped: Kysely<unknown>) {
      for (const [column, type] of [
        ['seq', 'bigint'],
        ['prev_hash', 'text'],
        ['hash', 'text'],
        ['actor_kind', 'text'],
        ['request_id', 'text'],
        ['first_at', 'bigint'],
        ['last_at', 'bigint'],
      ] as const) {
        await untyped.schema.alterTable('audit_log').addColumn(column, type).execute();
      }
      await untyped.schema
        .alterTable('audit_log')
        .addColumn('count', 'integer', (col) => col.notNull().defaultTo(1))
        .execute();
      await untyped.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addColumn('hash', 'text', (col) => col.notNull())
        .addColumn('anchor_seq', 'bigint')
        .addColumn('anchor_hash', 'text')
        .execute();

      const db = untyped as unknown as Kysely<CatalogSchema>;
      let seq = 0;
      let prev = GENESIS_HASH;
      let afterId = 0;
      for (;;) {
        const rows = await db
          .selectFrom('audit_log')
          .selectAll()
          .where('id', '>', afterId)
          .orderBy('id')
          .limit(BACKFILL_PAGE)
          .execute();
        for (const row of rows) {
          seq += 1;
          const filled = { ...row, count: 1, first_at: row.at, last_at: row.at, actor_kind: null, request_id: null };
          const hash = auditHash(filled, prev);
          await db
            .updateTable('audit_log')
            .set({ seq, prev_hash: prev, hash, first_at: row.at, last_at: row.at })
            .where('id', '=', row.id)
            .execute();
          prev = hash;
          afterId = row.id;
        }
        if (rows.length < BACKFILL_PAGE) break;
      }
      await untyped.schema.createIndex('audit_log_seq').on('audit_log').column('seq').unique().execute();
      await untyped.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
      await db
        .insertInto('audit_head')
        .values({ id: 1, seq, hash: prev, anchor_seq: null, anchor_hash: null })
        .execute();
    },
  };
}
