import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import { extractCredential } from '../auth/credentials.ts';
import { anonymousPrincipal, type Principal, systemPrincipal } from '../auth/principal.ts';
import type { SystemService } from '../services/system-service.ts';

export interface AuthHookDeps {
  authenticator: Authenticator;
  system: SystemService;
  authEnabled: boolean;
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
  const password = config.v1Password ? (request.query as Record<string, unknown> | undefined)?.p : undefined;
  const credential = extractCredential(
    request.headers.authorization,
    typeof password === 'string' ? password : undefined,
  );
  if (policy === 'optional' && credential.kind === 'none') return anonymousPrincipal(request.ip);
  return deps.authenticator.authenticate(credential, request.ip);
}
