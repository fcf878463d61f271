import type { Selectable } from 'kysely';
import type { Grant } from '../domain/permissions.ts';
import type { TokenGrantsTable } from './schema.ts';

/** One grant per row, in the token's order; database ids (never names) so a rename keeps the grant. */
export function grantToRow(tokenId: number, position: number, grant: Grant): Selectable<TokenGrantsTable> {
  const row = { token_id: tokenId, position, databases: null, actions: null, resources: null };
  switch (grant.type) {
    case 'admin':
      return { ...row, type: 'admin' };
    case 'db':
      return {
        ...row,
        type: 'db',
        databases: grant.databases === '*' ? '*' : JSON.stringify(grant.databases),
        actions: grant.actions,
      };
    case 'system':
      return { ...row, type: 'system', resources: grant.resources };
  }
}

export function grantFromRow(row: Selectable<TokenGrantsTable>): Grant {
  switch (row.type) {
    case 'admin':
      return { type: 'admin' };
    case 'db':
      return {
        type: 'db',
        databases: row.databases === '*' ? '*' : (JSON.parse(row.databases ?? '[]') as number[]),
        actions: row.actions ?? 0,
      };
    case 'system':
      return { type: 'system', resources: row.resources ?? 0 };
    default:
      throw new Error(`token_grants has a row of unknown type '${row.type}'`);
  }
}
