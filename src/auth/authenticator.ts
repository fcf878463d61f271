import type { Catalog } from '../catalog/catalog.ts';
import { type ErrorCode, FluxgateError } from '../domain/errors.ts';
import { hashToken, inspectToken } from '../domain/token-format.ts';
import type { Credential } from './credentials.ts';
import type { FailureThrottle } from './failure-throttle.ts';
import { looksLikeJwt } from './oidc/jwt-shape.ts';
import type { SessionAuthenticator } from './oidc/session-authenticator.ts';
import { GUESS_LIKE_SESSION_OUTCOMES, type SessionOutcome, sessionError } from './oidc/session-error.ts';
import { userPrincipal } from './oidc/session-principal.ts';
import type { Principal } from './principal.ts';
import type { IndexedToken, Lookup, TokenIndex } from './token-index.ts';
import type { UnknownTokenProbe } from './unknown-token-probe.ts';
import type { UsageTracker } from './usage-tracker.ts';

export type AuthOutcome =
  | 'ok'
  | 'missing'
  | 'malformed_header'
  | 'malformed_token'
  | 'unknown'
  | 'expired'
  | 'revoked'
  | 'throttled'
  | SessionOutcome;

export interface AuthenticatorDeps {
  index: TokenIndex;
  catalog: Catalog;
  throttle: FailureThrottle;
  usage: UsageTracker;
  now: () => number;
  onOutcome?: (outcome: AuthOutcome) => void;
  /** Every failed authentication but a missing credential, for the audit log (which aggregates them). */
  onFailure?: (outcome: AuthOutcome, sourceIp: string) => void;
  /** Sign-ins through the identity provider; absent when the server takes fluxgate tokens only. */
  sessions?: SessionAuthenticator;
  /** On a shared catalog: ask it about a token this node does not know before refusing it. */
  probe?: UnknownTokenProbe;
  /** On a shared catalog: how fresh the index is, and how to bring it up to date before trusting it. */
  freshness?: { fresh(now: number): boolean; refresh(): Promise<void> };
}

/** Outcomes that look like guessing: they count towards the per-source throttle. */
const GUESS_LIKE: ReadonlySet<string> = new Set([
  'malformed_header',
  'malformed_token',
  'unknown',
  ...GUESS_LIKE_SESSION_OUTCOMES,
]);

/**
 * Credential → Principal: format and checksum (no lookup for a malformed string), SHA-512,
 * TokenIndex, expiry. Synchronous unless the index is partial and must ask the catalog. A source
 * over its failure limit gets 429 for its failed attempts; a valid token still works from it, so
 * clients behind one address cannot lock each other out.
 */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  authenticate(credential: Credential, sourceIp: string): Principal | Promise<Principal> {
    const now = this.deps.now();
    try {
      const principal = this.verify(credential, sourceIp, now);
      if (principal instanceof Promise) return principal.catch((error: unknown) => this.reject(error, sourceIp, now));
      this.deps.onOutcome?.('ok');
      return principal;
    } catch (error) {
      return this.reject(error, sourceIp, now);
    }
  }

  private verify(credential: Credential, sourceIp: string, now: number): Principal | Promise<Principal> {
    if (credential.kind === 'none') {
      throw failure('missing', 'CREDENTIAL_MISSING', 'the request was not authenticated: no token was given');
    }
    if (credential.kind === 'malformed') {
      throw failure(
        'malformed_header',
        'MALFORMED_CREDENTIAL',
        `Authorization header is malformed: ${credential.reason}`,
        {
          field: 'Authorization',
        },
      );
    }
    const shape = inspectToken(credential.token);
    if (!shape.valid) {
      // Told apart by its shape alone, so a fluxgate token never pays for the JWT path.
      if (shape.reason === 'unknown_prefix' && looksLikeJwt(credential.token))
        return this.verifySession(credential.token, sourceIp);
      throw failure('malformed_token', 'TOKEN_MALFORMED', `the token is not valid (${shape.reason.replace('_', ' ')})`);
    }
    const token = credential.token;
    const found = this.deps.index.lookupToken(token);
    if (found.status === 'unknown' && this.shouldProbe(token, sourceIp, now)) {
      // Only a courtesy to tokens created elsewhere: a catalog that cannot answer leaves it unknown.
      return this.lookupInCatalog(hashToken(token), sourceIp, now, true).then((principal) => {
        this.deps.onOutcome?.('ok');
        return principal;
      });
    }
    if (found.status === 'miss') {
      return this.lookupInCatalog(hashToken(token), sourceIp, now).then((principal) => {
        this.deps.onOutcome?.('ok');
        return principal;
      });
    }
    const freshness = this.deps.freshness;
    if (found.status === 'found' && freshness !== undefined && !freshness.fresh(now)) {
      // Paused (SIGSTOP, a GC or VM stall) or cut off from the change feed: a revoke may have been
      // missed, so catch up with the catalog before accepting.
      return freshness.refresh().then(() => {
        const principal = this.decide(this.deps.index.lookupToken(token), sourceIp, now);
        this.deps.onOutcome?.('ok');
        return principal;
      });
    }
    return this.decide(found, sourceIp, now);
  }

  /** A token unknown here may be new on another node: ask the catalog, unless its source is blocked or the budget is spent. */
  private shouldProbe(token: string, sourceIp: string, now: number): boolean {
    const probe = this.deps.probe;
    if (probe === undefined || this.deps.throttle.retryAfter(sourceIp, now) > 0) return false;
    return probe.mayAsk(hashToken(token), now);
  }

  private verifySession(jwt: string, sourceIp: string): Promise<Principal> {
    const sessions = this.deps.sessions;
    if (sessions === undefined) {
      throw failure(
        'malformed_token',
        'TOKEN_MALFORMED',
        'the token is a JWT, but this server does not accept identity provider sign-ins (it runs without --oidc-issuer)',
      );
    }
    return sessions.authenticate(jwt).then(
      (identity) => {
        this.deps.onOutcome?.('ok');
        return userPrincipal(identity, sourceIp);
      },
      (error: unknown) => {
        throw sessionError(error);
      },
    );
  }

  /** Inside `exclusive`, so a read taken before a concurrent revoke cannot re-add the token after it. */
  private lookupInCatalog(hash: string, sourceIp: string, now: number, probing = false): Promise<Principal> {
    return this.deps.index.exclusive(() => this.loadFromCatalog(hash, sourceIp, now, probing));
  }

  private async loadFromCatalog(hash: string, sourceIp: string, now: number, probing: boolean): Promise<Principal> {
    const row = await this.deps.catalog.findTokenByHash(hash).catch((error: unknown) => {
      if (probing) return undefined;
      throw error;
    });
    if (row === undefined) {
      this.deps.index.rememberUnknown(hash);
      this.deps.probe?.rememberAbsent(hash, now);
      return this.decide({ status: 'unknown' }, sourceIp, now);
    }
    if (row.token.revokedAt !== null || (row.secret.retiresAt !== null && row.secret.retiresAt <= now)) {
      this.deps.index.rememberRevoked([hash]);
      return this.decide({ status: 'revoked' }, sourceIp, now);
    }
    this.deps.index.put(row.token, await this.deps.catalog.getTokenSecrets(row.token.id, now));
    return this.decide(this.deps.index.lookup(hash), sourceIp, now);
  }

  private decide(found: Lookup, sourceIp: string, now: number): Principal {
    if (found.status === 'found') {
      if (found.retiresAt <= now) {
        throw failure('revoked', 'TOKEN_REVOKED', 'the token secret was rotated and its grace period has ended');
      }
      if (found.token.expiresAt <= now) {
        throw failure(
          'expired',
          'TOKEN_EXPIRED',
          `the token expired at ${new Date(found.token.expiresAt).toISOString()}`,
        );
      }
      this.deps.usage.touch(found.token.id, now);
      return principalOf(found.token, sourceIp);
    }
    if (found.status === 'revoked') throw failure('revoked', 'TOKEN_REVOKED', 'the token was revoked');
    throw failure('unknown', 'TOKEN_UNKNOWN', 'the token is not known to this server');
  }

  /** Counts the failure, and turns it into 429 when its source is over the limit. */
  private reject(error: unknown, sourceIp: string, now: number): never {
    const outcome = error instanceof FluxgateError ? (error.details.reason as AuthOutcome | undefined) : undefined;
    if (outcome === undefined) throw error;
    // Only guesses are throttled: a revoked or expired token always gets its own 401 and reason.
    if (!GUESS_LIKE.has(outcome)) {
      this.deps.onOutcome?.(outcome);
      if (outcome !== 'missing') this.deps.onFailure?.(outcome, sourceIp);
      throw error;
    }
    this.deps.throttle.recordFailure(sourceIp, now);
    const wait = this.deps.throttle.retryAfter(sourceIp, now);
    if (wait > 0) {
      this.deps.onOutcome?.('throttled');
      this.deps.onFailure?.('throttled', sourceIp);
      throw failure(
        'throttled',
        'AUTH_THROTTLED',
        `too many failed authentications from this address; retry in ${wait} s`,
        {
          retryAfterSeconds: wait,
        },
      );
    }
    this.deps.onOutcome?.(outcome);
    this.deps.onFailure?.(outcome, sourceIp);
    throw error;
  }
}

function failure(
  outcome: AuthOutcome,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): FluxgateError {
  return new FluxgateError(code, message, { reason: outcome, ...details });
}

/** The token a string stands for if it is valid now, without carrier, throttle or usage: the benchmarked core. */
export function verifyToken(index: TokenIndex, token: string, now: number): IndexedToken | undefined {
  if (!inspectToken(token).valid) return undefined;
  const found = index.lookupToken(token);
  if (found.status !== 'found' || found.retiresAt <= now || found.token.expiresAt <= now) return undefined;
  return found.token;
}

function principalOf(token: IndexedToken, sourceIp: string): Principal {
  return {
    kind: 'token',
    tokenId: token.id,
    tokenKind: token.kind,
    role: token.role,
    name: token.name,
    authority: token.authority,
    expiresAt: token.expiresAt,
    sourceIp,
  };
}
