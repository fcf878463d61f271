import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../auth/authenticator.ts';
import { isFluxgateError } from '../../domain/errors.ts';
import type { OidcCodeFlow, PendingSignIn } from '../../services/oidc-code-flow.ts';
import { setConsoleHeaders } from './console-headers.ts';
import type { ConsoleSessions } from './console-sessions.ts';
import { sessionCookie } from './session-cookie.ts';

export const FLOW_COOKIE = 'fluxgate_oidc_flow';
export const CALLBACK_PATH = '/console/api/oidc/callback';
const FLOW_TTL_MS = 10 * 60_000;
const MAX_FLOWS = 1_000;

export interface OidcSignInDeps {
  flow: OidcCodeFlow;
  sessions: ConsoleSessions;
  authenticator: Authenticator;
  now: () => number;
}

/**
 * Sign in with the identity provider: `start` sends the browser to the provider with a PKCE
 * challenge and remembers the flow (bound to this browser by a short-lived cookie); the provider
 * sends it back to `callback`, where the server redeems the code, authenticates the access token
 * exactly as an API request's `Authorization: Bearer` would be, and makes the same session a pasted
 * token makes. The token stays on the server; the browser gets only the session cookie.
 */
export function registerOidcSignInRoutes(app: FastifyInstance, deps: OidcSignInDeps): void {
  const pending = new PendingFlows(deps.now);
  const open = { auth: 'none', family: 'plain' } as const;

  app.get('/console/api/oidc/start', { config: open }, async (request, reply) => {
    setConsoleHeaders(reply, 'no-store');
    let begun: Awaited<ReturnType<OidcCodeFlow['begin']>>;
    try {
      begun = await deps.flow.begin(`${request.protocol}://${request.host}${CALLBACK_PATH}`);
    } catch (error) {
      return backToSignIn(reply, messageOf(error));
    }
    const id = pending.add(begun.pending);
    reply.header('Set-Cookie', flowCookie(request, id, FLOW_TTL_MS / 1000));
    return reply.redirect(begun.url, 302);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    CALLBACK_PATH,
    { config: open },
    async (request, reply) => {
      setConsoleHeaders(reply, 'no-store');
      const id = cookieValue(request, FLOW_COOKIE);
      const flow = id === undefined ? undefined : pending.take(id);
      reply.header('Set-Cookie', flowCookie(request, '', 0));
      if (flow === undefined) {
        return backToSignIn(reply, 'the sign-in was not started in this browser or took longer than 10 minutes');
      }
      const { error, error_description: description } = request.query;
      if (typeof error === 'string') {
        return backToSignIn(reply, `the identity provider answered ${error}${description ? `: ${description}` : ''}`);
      }
      let principalName: string;
      let accessToken: string;
      try {
        accessToken = await deps.flow.finish(flow, new URL(request.url, `${request.protocol}://${request.host}`));
        // Who the token is, and whether they may in at all, is decided as for any request's bearer JWT.
        principalName = (
          await deps.authenticator.authenticate({ kind: 'token', token: accessToken, carrier: 'bearer' }, request.ip)
        ).name;
      } catch (caught) {
        return backToSignIn(reply, messageOf(caught));
      }
      const { id: sessionId } = deps.sessions.create(accessToken);
      request.log.info({ user: principalName }, 'console sign-in through the identity provider');
      reply.header('Set-Cookie', [flowCookie(request, '', 0), sessionCookie(request, sessionId)]);
      return reply.redirect('/overview', 302);
    },
  );
}

function backToSignIn(reply: FastifyReply, message: string) {
  return reply.redirect(`/sign-in?${new URLSearchParams({ error: message })}`, 302);
}

function messageOf(error: unknown): string {
  if (isFluxgateError(error)) return error.message;
  return 'the sign-in could not be completed';
}

/** SameSite=Lax: the provider's redirect back is a cross-site navigation, which a Strict cookie would miss. */
function flowCookie(request: FastifyRequest, id: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${FLOW_COOKIE}=${id}; Path=/console/api/oidc; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** Flows between start and callback: each used once, forgotten after 10 minutes, at most 1,000 at a time. */
class PendingFlows {
  readonly #flows = new Map<string, { flow: PendingSignIn; at: number }>();

  constructor(private readonly now: () => number) {}

  add(flow: PendingSignIn): string {
    const id = randomBytes(32).toString('base64url');
    this.#flows.set(keyOf(id), { flow, at: this.now() });
    while (this.#flows.size > MAX_FLOWS) {
      const oldest = this.#flows.keys().next().value;
      if (oldest === undefined) break;
      this.#flows.delete(oldest);
    }
    return id;
  }

  take(id: string): PendingSignIn | undefined {
    const key = keyOf(id);
    const entry = this.#flows.get(key);
    this.#flows.delete(key);
    if (entry === undefined || this.now() - entry.at > FLOW_TTL_MS) return undefined;
    return entry.flow;
  }
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
