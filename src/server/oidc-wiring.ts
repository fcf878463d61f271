import type { Logger } from 'pino';
import { OidcVerifier } from '../auth/oidc/oidc-verifier.ts';
import { SessionAuthenticator } from '../auth/oidc/session-authenticator.ts';
import { UsageTracker } from '../auth/usage-tracker.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Authorizer } from '../services/authorize.ts';
import { OidcCodeFlow } from '../services/oidc-code-flow.ts';
import type { UserDirectory } from '../services/user-directory.ts';
import { UserService } from '../services/user-service.ts';
import type { OidcConfig } from './server-config.ts';

export interface OidcParts {
  users: UserService;
  /** Absent without --oidc-issuer: then JWTs are refused as malformed tokens. */
  sessions: SessionAuthenticator | undefined;
  verifier: OidcVerifier | undefined;
  /** The console's sign-in with the provider (authorization code + PKCE); needs --oidc-client-id. */
  codeFlow: OidcCodeFlow | undefined;
  stop(): Promise<void>;
}

/**
 * Users and, with --oidc-issuer, sign-ins: the verifier tries discovery once at start and a
 * provider that is down only delays sign-ins (503 with the reason), never the server.
 */
export async function startOidc(
  config: OidcConfig | undefined,
  deps: {
    catalog: Catalog;
    authorizer: Authorizer;
    directory: UserDirectory;
    now: () => number;
    logger: Logger;
    flushMs: number;
  },
  onError: (error: unknown) => void,
): Promise<OidcParts> {
  const lastSeen = new UsageTracker(
    { recordLastUsed: (entries) => deps.catalog.recordLastSeen(entries.map((e) => ({ userId: e.tokenId, at: e.at }))) },
    onError,
  );
  lastSeen.start(deps.flushMs);
  const users = new UserService({
    catalog: deps.catalog,
    authorize: (principal, action, target) => deps.authorizer.authorize(principal, action, target),
    directory: deps.directory,
    lastSeen,
    adminSubjects: new Set(config?.adminSubjects ?? []),
    now: deps.now,
  });
  const stop = () => lastSeen.stop();
  if (config === undefined) return { users, sessions: undefined, verifier: undefined, codeFlow: undefined, stop };

  await users.declareAdmins({ tokenId: null, name: 'oidc-admin-subjects', sourceIp: null });
  const verifier = new OidcVerifier({
    issuer: config.issuer,
    audience: config.audience,
    jwksCooldownMs: config.jwksCooldownMs,
    discoveryRetryMs: config.jwksCooldownMs,
    timeoutMs: 5_000,
    clockToleranceSeconds: 30,
    now: deps.now,
  });
  const started = await verifier.start();
  if (started.ok) deps.logger.info({ issuer: config.issuer }, 'identity provider ready');
  else
    deps.logger.warn(
      { issuer: config.issuer, error: started.error },
      'identity provider unreachable: sign-ins fail (503) until it answers; fluxgate tokens work',
    );
  const sessions = new SessionAuthenticator({ verifier, users, groupClaim: config.groupClaim, now: deps.now });
  const codeFlow =
    config.clientId === undefined
      ? undefined
      : new OidcCodeFlow({ issuer: config.issuer, clientId: config.clientId, timeoutMs: 5_000 });
  return { users, sessions, verifier, codeFlow, stop };
}
