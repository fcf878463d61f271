import { sql, type Transaction } from 'kysely';
import type { ChangeRow } from '../catalog-dialect.ts';
import type { CatalogSchema } from '../schema.ts';

export const CHANGE_CHANNEL = 'fluxgate_catalog';

/** Any fixed key: it only has to be the same on every node. ('flux' in ASCII.) */
export const CHANGE_FEED_LOCK = 0x666c7578;

export interface ChangeNotice {
  /** The catalog instance that made the change, so it can ignore its own notices. */
  source: string;
  version: number;
  entity: string;
  entityId: number;
}

/**
 * Appends the change-feed rows and queues their NOTIFYs (delivered at commit) in one round trip.
 *
 * The advisory lock, held to the end of the transaction, makes versions commit in the order they
 * are assigned. Without it a follower could read version 6 before the transaction holding version
 * 5 commits and, resuming after 6, never see 5. The lock is taken last, so it is held only for
 * this statement and the commit; the insert reads from `lock`, so the versions (identity values)
 * are drawn only once the lock is held, in the order of `changes`.
 */
export async function recordPostgresChanges(
  trx: Transaction<CatalogSchema>,
  changes: readonly ChangeRow[],
  source: string,
) {
  const rows = changes.map(
    (change, i) =>
      sql`(cast(${i} as integer), cast(${change.entity} as text), cast(${change.entity_id} as bigint), cast(${change.at} as bigint))`,
  );
  await sql`
    with lock as materialized (select pg_advisory_xact_lock(cast(${CHANGE_FEED_LOCK} as bigint))),
    change as (
      insert into catalog_changes (entity, entity_id, at)
      select v.entity, v.entity_id, v.at from lock, (values ${sql.join(rows)}) as v(position, entity, entity_id, at)
      order by v.position
      returning version, entity, entity_id
    )
    select pg_notify(${CHANGE_CHANNEL}, json_build_object(
      'source', cast(${source} as text), 'version', version, 'entity', entity, 'entityId', entity_id)::text)
    from change
  `.execute(trx);
}

export function parseChangeNotice(payload: string | undefined): ChangeNotice | undefined {
  try {
    return JSON.parse(payload ?? '') as ChangeNotice;
  } catch {
    return undefined;
  }
}
