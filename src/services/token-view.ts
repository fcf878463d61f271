import type { TokenRecord } from '../catalog/catalog.ts';
import { describeGrant, formatPermission, type Grant, type PermissionSpec } from '../domain/permissions.ts';
import type { TokenKind } from '../domain/token-format.ts';

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** A token as every face shows it: never the secret, never the hash. */
export interface TokenView {
  id: number;
  kind: TokenKind;
  name: string;
  description: string | null;
  hint: string;
  status: TokenStatus;
  permissions: string[];
  permissionSpecs: PermissionSpec[];
  createdAt: number;
  createdBy: number | null;
  updatedAt: number | null;
  updatedBy: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** The one moment a secret leaves the server: the answer to a create, regenerate or rotate. */
export interface IssuedToken {
  token: TokenView;
  secret: string;
}

export function tokenStatus(record: TokenRecord, now: number): TokenStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  return 'active';
}

export function toTokenView(
  record: TokenRecord,
  now: number,
  nameOf: (dbId: number) => string,
  lastUsedAt?: number,
): TokenView {
  const specs = record.grants.map((grant) => describeGrant(grant, nameOf));
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    description: record.description,
    hint: record.hint,
    status: tokenStatus(record, now),
    permissions: specs.map(formatPermission),
    permissionSpecs: specs,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    lastUsedAt: Math.max(record.lastUsedAt ?? 0, lastUsedAt ?? 0) || null,
  };
}

export function grantsAsText(grants: readonly Grant[], nameOf: (dbId: number) => string): string[] {
  return grants.map((grant) => formatPermission(describeGrant(grant, nameOf)));
}
