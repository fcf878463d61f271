import { parseRfc3339, requireFuture, toRfc3339 } from '../../domain/durations.ts';
import { fail } from '../../domain/errors.ts';
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

/**
 * `expiry_secs` (InfluxDB 3) or `expires_at` (RFC3339) into an absolute time. Zero, negative or past
 * values are refused: InfluxDB silently creates a token that is dead on arrival.
 */
export function expiryFromBody(
  body: { expiry_secs?: number | null; expires_at?: string | null },
  now: number,
): number | null {
  const secs = body.expiry_secs;
  const at = body.expires_at;
  if (secs !== undefined && secs !== null && at !== undefined && at !== null) {
    fail('INVALID_EXPIRY', 'give expiry_secs or expires_at, not both', { field: 'expiry_secs' });
  }
  if (secs !== undefined && secs !== null) {
    if (!Number.isSafeInteger(secs) || secs <= 0) {
      fail('INVALID_EXPIRY', `expiry_secs must be a positive whole number of seconds, not ${secs}`, {
        field: 'expiry_secs',
      });
    }
    if (secs > 1e11) fail('INVALID_EXPIRY', `expiry_secs ${secs} is too far in the future`, { field: 'expiry_secs' });
    return now + secs * 1000;
  }
  if (at !== undefined && at !== null) return requireFuture(parseRfc3339(at, 'expires_at'), now, 'expires_at');
  return null;
}

export const expiryProperties = {
  expiry_secs: { type: ['number', 'null'] },
  expires_at: { type: ['string', 'null'] },
} as const;
