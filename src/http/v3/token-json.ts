import { toRfc3339 } from '../../domain/durations.ts';
import { parseExpiry } from '../../domain/expiry.ts';
import type { IssuedToken, TokenView } from '../../services/token-view.ts';

/** The InfluxDB 3 TokenObject, minus the full hash (a secret-equivalent we never send), plus a hint. */
export function issuedTokenJson(issued: IssuedToken) {
  return {
    id: issued.token.id,
    name: issued.token.name,
    token: issued.secret,
    hint: issued.token.hint,
    kind: issued.token.kind,
    permissions: issued.token.permissions,
    created_at: toRfc3339(issued.token.createdAt),
    expiry: toRfc3339(issued.token.expiresAt),
  };
}

export function tokenViewJson(view: TokenView) {
  return {
    id: view.id,
    name: view.name,
    kind: view.kind,
    description: view.description,
    hint: view.hint,
    status: view.status,
    permissions: view.permissions,
    created_at: toRfc3339(view.createdAt),
    created_by: view.createdBy,
    updated_at: toRfc3339(view.updatedAt),
    updated_by: view.updatedBy,
    expiry: toRfc3339(view.expiresAt),
    revoked_at: toRfc3339(view.revokedAt),
    last_used_at: toRfc3339(view.lastUsedAt),
  };
}

/** `expiry_secs` (InfluxDB 3) or `expires_at` (RFC3339) into an absolute time, by the domain's expiry rules. */
export function expiryFromBody(
  body: { expiry_secs?: number | null; expires_at?: string | null },
  now: number,
): number | null {
  const input = { expirySecs: body.expiry_secs, expiresAt: body.expires_at ?? undefined };
  return parseExpiry(input, now, { at: 'expires_at', in: 'expiry', secs: 'expiry_secs' }) ?? null;
}

export const expiryProperties = {
  expiry_secs: { type: ['number', 'null'] },
  expires_at: { type: ['string', 'null'] },
} as const;
