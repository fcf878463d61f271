import type { FastifyRequest } from 'fastify';
import { FluxgateError } from '../../domain/errors.ts';
import { type ConsoleSession, type ConsoleSessions, csrfMatches } from './console-sessions.ts';
import { sessionIdFrom } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was authenticated by a console session cookie. */
    consoleSession: { id: string; session: ConsoleSession } | null;
  }
}

/** The API paths the console calls, where a session cookie stands in for `Authorization`. */
const SESSION_PATHS = ['/api/v0/', '/api/v3/configure/', '/console/api/'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The credential a console session stands for, when the request carries the session cookie and no
 * `Authorization` header. A state-changing request must also carry the session's CSRF token and, if
 * the browser says where it comes from, come from this origin. Decides nothing about rights: the
 * credential is authenticated and authorized exactly as if it had been sent as a Bearer token.
 */
export function sessionCredential(request: FastifyRequest, sessions: ConsoleSessions): string | undefined {
  if (request.headers.authorization !== undefined) return undefined;
  const path = request.url;
  if (!SESSION_PATHS.some((prefix) => path.startsWith(prefix))) return undefined;
  const id = sessionIdFrom(request);
  if (id === undefined) return undefined;
  const session = sessions.use(id);
  if (session === undefined) {
    throw new FluxgateError('CONSOLE_SESSION_INVALID', 'the console session has ended or is unknown; sign in again', {
      reason: 'console_session',
    });
  }
  if (!SAFE_METHODS.has(request.method)) requireSameOrigin(request, session);
  request.consoleSession = { id, session };
  return session.credential;
}

/** Refuses a state-changing request that lacks the CSRF token or comes from another origin. */
export function requireSameOrigin(request: FastifyRequest, session: ConsoleSession | undefined): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw new FluxgateError('CSRF_REFUSED', `a request from ${origin} cannot act on a console session`);
  }
  if (session === undefined) return;
  const sent = request.headers[CSRF_HEADER];
  if (!csrfMatches(session, typeof sent === 'string' ? sent : undefined)) {
    throw new FluxgateError(
      'CSRF_REFUSED',
      `a console request that changes something must carry the ${CSRF_HEADER} header of its session`,
      {
        field: CSRF_HEADER,
      },
    );
  }
}
