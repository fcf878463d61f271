import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import { extractCredential } from '../auth/credentials.ts';
import { anonymousPrincipal, type Principal, systemPrincipal } from '../auth/principal.ts';
import { isFluxgateError } from '../domain/errors.ts';
import type { SystemService } from '../services/system-service.ts';
import type { ConsoleSessions } from './console/console-sessions.ts';
import { sessionCredential } from './console/session-auth.ts';

export interface AuthHookDeps {
  authenticator: Authenticator;
  system: SystemService;
  authEnabled: boolean;
  /** The web console's sessions: a session cookie stands in for the credential that signed it in. */
  consoleSessions?: ConsoleSessions;
}

/** Resolves `request.principal` before the body is read, so a bad token costs no body parsing. */
export function createAuthHook(deps: AuthHookDeps) {
  return async function authenticateRequest(request: FastifyRequest): Promise<void> {
    const principal = await principalFor(request, deps);
    principal.requestId = request.id;
    request.principal = principal;
  };
}

function principalFor(request: FastifyRequest, deps: AuthHookDeps): Principal | Promise<Principal> {
  const config = request.routeOptions.config;
  const policy = config.auth ?? 'required';
  if (request.is404 || policy === 'none') return anonymousPrincipal(request.ip);
  if (!deps.authEnabled) return systemPrincipal('auth-disabled', request.ip);
  if (typeof policy === 'object' && deps.system.isExempt(policy.system)) return anonymousPrincipal(request.ip);
  if (deps.consoleSessions !== undefined) {
    const fromSession = sessionCredential(request, deps.consoleSessions);
    if (fromSession !== undefined) return authenticateSession(request, deps, fromSession);
  }
  const password = config.v1Password ? (request.query as Record<string, unknown> | undefined)?.p : undefined;
  const credential =
    authorizationCount(request.raw.rawHeaders) > 1
      ? ({ kind: 'malformed', reason: 'the request has more than one Authorization header' } as const)
      : extractCredential(request.headers.authorization, typeof password === 'string' ? password : undefined);
  if (policy === 'optional' && credential.kind === 'none') return anonymousPrincipal(request.ip);
  return deps.authenticator.authenticate(credential, request.ip);
}

/** A session whose credential no longer authenticates (revoked, rotated, expired) ends with it. */
async function authenticateSession(request: FastifyRequest, deps: AuthHookDeps, token: string): Promise<Principal> {
  try {
    return await deps.authenticator.authenticate({ kind: 'token', token, carrier: 'bearer' }, request.ip);
  } catch (error) {
    if (isFluxgateError(error) && error.status === 401 && request.consoleSession !== null) {
      deps.consoleSessions?.end(request.consoleSession.id);
    }
    throw error;
  }
}

/** Node keeps the first of repeated Authorization headers and drops the rest; which one counts must not be a guess. */
function authorizationCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'authorization') count++;
  return count;
}
