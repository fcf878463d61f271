import type { Selectable } from 'kysely';
import type { Grant } from '../domain/permissions.ts';
import type { Role } from '../domain/principal.ts';
import type { TokenKind } from '../domain/token-format.ts';
import type { CatalogChange, DatabaseRecord, TokenRecord, TokenSecret } from './catalog.ts';
import type { CatalogChangesTable, DatabasesTable, TokenSecretsTable, TokensTable } from './schema.ts';

/** Row ⇄ record mapping: snake_case columns to the port's camelCase records. */
export function toDatabaseRecord(row: Selectable<DatabasesTable>): DatabaseRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    purgedAt: row.purged_at,
    maxTables: row.max_tables,
    maxColumnsPerTable: row.max_columns_per_table,
    retentionPeriodMs: row.retention_period_ms,
    ownerNode: row.owner_node,
    upstreamName: row.upstream_name ?? row.name,
  };
}

export function toTokenRecord(row: Selectable<TokensTable>, grants: Grant[]): TokenRecord {
  return {
    id: row.id,
    kind: row.kind as TokenKind,
    name: row.name,
    description: row.description,
    hint: row.hint,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    role: (row.role ?? null) as Role | null,
    grants,
  };
}

export function toTokenSecret(row: Selectable<TokenSecretsTable>): TokenSecret {
  return { hash: row.hash, tokenId: row.token_id, retiresAt: row.retires_at };
}

export function toCatalogChange(
  row: Pick<Selectable<CatalogChangesTable>, 'version' | 'entity' | 'entity_id'>,
): CatalogChange {
  return { version: row.version, entity: row.entity as CatalogChange['entity'], entityId: row.entity_id };
}
