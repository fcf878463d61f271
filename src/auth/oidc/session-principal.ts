import { NO_AUTHORITY, type UserPrincipal } from '../../domain/principal.ts';
import type { SessionIdentity } from './session-authenticator.ts';

/** A signed-in user as the services see them: their group's role, and no data rights at all. */
export function userPrincipal(identity: SessionIdentity, sourceIp: string): UserPrincipal {
  return {
    kind: 'user',
    tokenId: null,
    tokenKind: null,
    name: identity.displayName,
    authority: NO_AUTHORITY,
    expiresAt: identity.expiresAt,
    sourceIp,
    subject: identity.subject,
    role: identity.role,
  };
}
