import type { Kysely } from 'kysely';
import type { NodeRecord } from './catalog.ts';
import type { CatalogSchema } from './schema.ts';

/** Insert or refresh in one statement (both dialects speak `on conflict … do update`). */
export async function heartbeatNode(db: Kysely<CatalogSchema>, node: NodeRecord): Promise<void> {
  await db
    .insertInto('nodes')
    .values({
      id: node.id,
      address: node.address,
      started_at: node.startedAt,
      heartbeat_at: node.heartbeatAt,
      applied_version: node.appliedVersion,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ heartbeat_at: node.heartbeatAt, applied_version: node.appliedVersion }),
    )
    .execute();
}

export async function listNodes(db: Kysely<CatalogSchema>, since: number): Promise<NodeRecord[]> {
  const rows = await db.selectFrom('nodes').selectAll().where('heartbeat_at', '>=', since).orderBy('id').execute();
  return rows.map((row) => ({
    id: row.id,
    address: row.address,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    appliedVersion: row.applied_version,
  }));
}

export async function removeNode(db: Kysely<CatalogSchema>, id: string): Promise<void> {
  await db.deleteFrom('nodes').where('id', '=', id).execute();
}
