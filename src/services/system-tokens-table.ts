import type { TokenRecord } from '../catalog/catalog.ts';
import type { VirtualTable } from '../storage/storage.ts';
import { toTokenView } from './token-view.ts';

/**
 * `system.tokens` as InfluxDB 3 shows it (token_id, name, created_at, description, created_by_token_id,
 * updated_at, updated_by_token_id, expiry, permissions), without the hash prefix, plus our own columns.
 */
export function systemTokensTable(
  tokens: TokenRecord[],
  now: number,
  nameOf: (dbId: number) => string,
  pendingUse: (tokenId: number) => number | undefined,
): VirtualTable {
  const ms = (value: number | null) => (value === null ? null : new Date(value).toISOString());
  return {
    schema: 'system',
    name: 'tokens',
    columns: [
      { name: 'token_id', sqlType: 'UBIGINT' },
      { name: 'name', sqlType: 'VARCHAR' },
      { name: 'created_at', sqlType: 'TIMESTAMP' },
      { name: 'description', sqlType: 'VARCHAR' },
      { name: 'created_by_token_id', sqlType: 'UBIGINT' },
      { name: 'updated_at', sqlType: 'TIMESTAMP' },
      { name: 'updated_by_token_id', sqlType: 'UBIGINT' },
      { name: 'expiry', sqlType: 'TIMESTAMP' },
      { name: 'permissions', sqlType: 'VARCHAR' },
      { name: 'kind', sqlType: 'VARCHAR' },
      { name: 'hint', sqlType: 'VARCHAR' },
      { name: 'status', sqlType: 'VARCHAR' },
      { name: 'revoked_at', sqlType: 'TIMESTAMP' },
      { name: 'last_used_at', sqlType: 'TIMESTAMP' },
    ],
    rows: tokens.map((record) => {
      const view = toTokenView(record, now, nameOf, pendingUse(record.id));
      return [
        view.id,
        view.name,
        ms(view.createdAt),
        view.description,
        view.createdBy,
        ms(view.updatedAt),
        view.updatedBy,
        ms(view.expiresAt),
        view.permissions.join(' '),
        view.kind,
        view.hint,
        view.status,
        ms(view.revokedAt),
        ms(view.lastUsedAt),
      ];
    }),
  };
}
