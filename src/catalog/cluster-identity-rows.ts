import type { Kysely } from 'kysely';
import type { ClusterIdentity } from './catalog.ts';
import type { CatalogSchema } from './schema.ts';

/**
 * Keeps one identity row: the configured ids win (and are kept), a kept row is reused, and the first
 * start keeps `generated`. Concurrent first starts agree: the insert is `on conflict do nothing` and
 * every node reads back the row that won.
 */
export async function claimClusterIdentity(
  db: Kysely<CatalogSchema>,
  configured: Partial<ClusterIdentity>,
  generated: ClusterIdentity,
): Promise<ClusterIdentity> {
  const wanted = { ...generated, ...definedOnly(configured) };
  await db
    .insertInto('cluster_identity')
    .values({ id: 1, account_id: wanted.accountId, cluster_id: wanted.clusterId })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const changes: { account_id?: string; cluster_id?: string } = {};
  if (configured.accountId !== undefined) changes.account_id = configured.accountId;
  if (configured.clusterId !== undefined) changes.cluster_id = configured.clusterId;
  if (Object.keys(changes).length > 0)
    await db.updateTable('cluster_identity').set(changes).where('id', '=', 1).execute();
  const row = await db.selectFrom('cluster_identity').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return { accountId: row.account_id, clusterId: row.cluster_id };
}

function definedOnly(ids: Partial<ClusterIdentity>): Partial<ClusterIdentity> {
  const out: Partial<ClusterIdentity> = {};
  if (ids.accountId !== undefined) out.accountId = ids.accountId;
  if (ids.clusterId !== undefined) out.clusterId = ids.clusterId;
  return out;
}
