import type { UserRecord, UserRole } from '../../catalog/catalog.ts';
import { groupFromClaim } from './group-claim.ts';
import type { OidcVerifier, VerifiedSession } from './oidc-verifier.ts';
import { SessionFailure } from './session-failure.ts';

/** Who a verified session is: the user, acting in their group, until the provider's token expires. */
export interface SessionIdentity {
  userId: number;
  subject: string;
  role: UserRole;
  /** For the audit trail and logs: the user's display name, else the token's name or email, else the subject. */
  displayName: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** What a sign-in needs from the users: the ones this node knows, and the two changes a sign-in may make. */
export interface SessionUsers {
  /** A current (not removed) user of this node. */
  current(subject: string): UserRecord | undefined;
  /**
   * A first sign-in with a group claim: adds the user in that group. Returns undefined when the
   * subject was removed (a removed user only comes back through an Admin).
   */
  provision(session: VerifiedSession, role: UserRole): Promise<UserRecord | undefined>;
  /** A user whose group comes from the claim, signing in with a claim that names another group. */
  followClaim(user: UserRecord, role: UserRole, session: VerifiedSession): Promise<UserRecord>;
  /** Notes the sign-in for `user list`'s last seen (batched, never a write per request). */
  seen(user: UserRecord, at: number): void;
}

export interface SessionAuthenticatorDeps {
  verifier: OidcVerifier;
  users: SessionUsers;
  /** The claim that names the group; undefined when the provider sends none. */
  groupClaim: string | undefined;
  now: () => number;
}

/**
 * A provider's JWT → the user it stands for: the token is verified, then the subject must be a
 * current, enabled user with a group. An unknown subject whose group claim names a group becomes a
 * user in it; any other unknown subject has no access.
 */
export class SessionAuthenticator {
  constructor(private readonly deps: SessionAuthenticatorDeps) {}

  async authenticate(jwt: string): Promise<SessionIdentity> {
    const session = await this.deps.verifier.verify(jwt);
    const claimed =
      this.deps.groupClaim === undefined ? undefined : groupFromClaim(session.claims[this.deps.groupClaim]);
    let user = this.deps.users.current(session.subject);
    if (user === undefined) {
      if (claimed === undefined) throw noAccess(session.subject, this.deps.groupClaim);
      user = await this.deps.users.provision(session, claimed);
      if (user === undefined) {
        throw new SessionFailure('user_unknown', `the user '${session.subject}' was removed from this server`);
      }
    } else if (user.source === 'claim' && this.deps.groupClaim !== undefined) {
      if (claimed === undefined) throw noAccess(session.subject, this.deps.groupClaim);
      if (claimed !== user.role) user = await this.deps.users.followClaim(user, claimed, session);
    }
    if (user.disabledAt !== null) {
      throw new SessionFailure('user_disabled', `the user '${session.subject}' is disabled`);
    }
    this.deps.users.seen(user, this.deps.now());
    return {
      userId: user.id,
      subject: user.subject,
      role: user.role,
      displayName: user.displayName ?? displayNameOf(session),
      expiresAt: session.expiresAt,
    };
  }
}

function noAccess(subject: string, groupClaim: string | undefined): SessionFailure {
  const why =
    groupClaim === undefined
      ? 'an Admin must add them with `fluxgate user add`'
      : `its '${groupClaim}' claim names none of admin, member, auditor`;
  return new SessionFailure('no_group', `the user '${subject}' is in no group here: ${why}`);
}

export function displayNameOf(session: VerifiedSession): string {
  for (const claim of ['name', 'preferred_username', 'email']) {
    const value = session.claims[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return session.subject;
}
