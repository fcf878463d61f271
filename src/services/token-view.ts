import type { TokenRecord } from '../catalog/catalog.ts';
import { describeGrant, formatPermission, type Grant, type PermissionSpec } from '../domain/permissions.ts';

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** A token as every face shows it: the record without its grants (never a secret, never a hash), plus what derives from it. */
export interface TokenView extends Omit<TokenRecord, 'grants'> {
  status: TokenStatus;
  permissions: string[];
  permissionSpecs: PermissionSpec[];
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
  const { grants, ...fields } = record;
  const specs = grants.map((grant) => describeGrant(grant, nameOf));
  return {
    ...fields,
    status: tokenStatus(record, now),
    permissions: specs.map(formatPermission),
    permissionSpecs: specs,
    lastUsedAt: Math.max(record.lastUsedAt ?? 0, lastUsedAt ?? 0) || null,
  };
}

export function grantsAsText(grants: readonly Grant[], nameOf: (dbId: number) => string): string[] {
  return grants.map((grant) => formatPermission(describeGrant(grant, nameOf)));
}
