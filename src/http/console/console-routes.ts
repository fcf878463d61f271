import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.ts';
import type { Principal } from '../../auth/principal.ts';
import { FluxgateError, fail } from '../../domain/errors.ts';
import type { OidcCodeFlow } from '../../services/oidc-code-flow.ts';
import { requireJson } from '../v3/require-json.ts';
import type { ConsoleBuild } from './console-assets.ts';
import { setConsoleHeaders } from './console-headers.ts';
import { CONSOLE_PAGE_PATHS } from './console-pages.ts';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.ts';
import { registerOidcSignInRoutes } from './oidc-sign-in-routes.ts';
import { requireSameOrigin } from './session-auth.ts';
import { clearSessionCookie, sessionIdFrom, setSessionCookie } from './session-cookie.ts';

export interface ConsoleDeps {
  build: ConsoleBuild | undefined;
  sessions: ConsoleSessions;
  authenticator: Authenticator;
  authEnabled: boolean;
  /** Sign in with the identity provider: present when the server runs with --oidc-issuer and --oidc-client-id. */
  oidcFlow?: OidcCodeFlow | undefined;
}

/**
 * The web console's face: its page and files, and the exchange of a pasted credential for a session
 * cookie. Everything the pages then do goes to the ordinary API endpoints.
 */
export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const open = { auth: 'none', family: 'plain' } as const;

  for (const url of CONSOLE_PAGE_PATHS) {
    app.get(url, { config: open }, async (request, reply) => {
      if (deps.build === undefined) {
        fail('CONSOLE_NOT_BUILT', 'the web console has not been built: run `npm run build:console` (npm ci does it)');
      }
      return sendAsset(request, setConsoleHeaders(reply, 'no-store'), deps.build.page);
    });
  }

  app.get('/console/*', { config: open }, async (request, reply) => {
    const asset = deps.build?.assets.get(request.url.split('?')[0] ?? '');
    if (asset === undefined) fail('NOT_FOUND', `no console file ${request.url.split('?')[0]}`);
    return sendAsset(request, setConsoleHeaders(reply, asset.immutable ? 'immutable' : 'revalidate'), asset);
  });

  app.get('/console/api/sign-in-options', { config: { auth: 'none' } }, async (_request, reply) => {
    setConsoleHeaders(reply, 'no-store');
    return { oidc: deps.oidcFlow !== undefined };
  });

  if (deps.oidcFlow !== undefined) {
    registerOidcSignInRoutes(app, {
      flow: deps.oidcFlow,
      sessions: deps.sessions,
      authenticator: deps.authenticator,
      now: Date.now,
    });
  }

  app.post<{ Body: { token: string } }>(
    '/console/api/session',
    {
      config: { auth: 'none' },
      preValidation: requireJson,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['token'],
          properties: { token: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
      },
    },
    async (request, reply) => {
      setConsoleHeaders(reply, 'no-store');
      requireSameOrigin(request, undefined);
      const token = request.body.token.trim();
      // The same authentication every API request gets: checksum, lookup, expiry, failure throttle.
      const principal = deps.authEnabled
        ? await deps.authenticator.authenticate({ kind: 'token', token, carrier: 'bearer' }, request.ip)
        : undefined;
      const { id, session } = deps.sessions.create(token);
      setSessionCookie(request, reply, id);
      return sessionJson(principal ?? request.principal, session);
    },
  );

  app.get('/console/api/session', async (request, reply) => {
    setConsoleHeaders(reply, 'no-store');
    if (!deps.authEnabled) return sessionJson(request.principal, undefined);
    const current = request.consoleSession;
    if (current === null) {
      throw new FluxgateError('CONSOLE_SESSION_INVALID', 'no console session: sign in first', {
        reason: 'console_session',
      });
    }
    return sessionJson(request.principal, current.session);
  });

  app.delete('/console/api/session', { config: { auth: 'none' } }, async (request, reply) => {
    setConsoleHeaders(reply, 'no-store');
    const id = sessionIdFrom(request);
    const session = id === undefined ? undefined : deps.sessions.use(id);
    if (id !== undefined && session !== undefined) {
      requireSameOrigin(request, session);
      deps.sessions.end(id);
    }
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });
}

function sendAsset(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: { body: Buffer; contentType: string; etag: string },
) {
  reply.header('ETag', asset.etag).type(asset.contentType);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

/** Who the session acts as; the CSRF token is for the page's memory, never for storage. */
function sessionJson(principal: Principal, session: ConsoleSession | undefined) {
  const role = (principal as { role?: unknown }).role;
  return {
    csrfToken: session?.csrfToken ?? '',
    principal: {
      name: principal.name,
      kind: principal.tokenKind ?? principal.kind,
      tokenId: principal.tokenId === null ? null : String(principal.tokenId),
      ...(typeof role === 'string' ? { role } : {}),
      expiresAt: Number.isFinite(principal.expiresAt) ? new Date(principal.expiresAt).toISOString() : null,
    },
  };
}
