import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Grant } from '../domain/permissions.ts';
import type { TokenRecord } from './catalog.ts';
import { grantFromRow, grantToRow } from './grant-rows.ts';
import { toTokenRecord } from './records.ts';
import type { CatalogSchema, TokensTable } from './schema.ts';

type Db = Kysely<CatalogSchema> | Transaction<CatalogSchema>;

/** Writes a token's grants in order; returns them as stored. */
export async function insertGrants(
  trx: Transaction<CatalogSchema>,
  tokenId: number,
  grants: readonly Grant[],
): Promise<Grant[]> {
  if (grants.length === 0) return [];
  const rows = grants.map((grant, position) => grantToRow(tokenId, position, grant));
  await trx.insertInto('token_grants').values(rows).execute();
  return rows.map(grantFromRow);
}

export async function grantsOf(db: Db, tokenId: number): Promise<Grant[]> {
  const rows = await db
    .selectFrom('token_grants')
    .selectAll()
    .where('token_id', '=', tokenId)
    .orderBy('position')
    .execute();
  return rows.map(grantFromRow);
}

/** Attaches grants to token rows ordered by id, with one query over their id range. */
export async function withGrants(db: Db, rows: Selectable<TokensTable>[]): Promise<TokenRecord[]> {
  const first = rows[0];
  const last = rows.at(-1);
  if (first === undefined || last === undefined) return [];
  const grantRows = await db
    .selectFrom('token_grants')
    .selectAll()
    .where('token_id', '>=', first.id)
    .where('token_id', '<=', last.id)
    .orderBy('token_id')
    .orderBy('position')
    .execute();
  const byToken = groupBy(grantRows, (row) => row.token_id);
  return rows.map((row) => toTokenRecord(row, (byToken.get(row.id) ?? []).map(grantFromRow)));
}

export function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}
