import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'fluxgate_session';

/** The session id from the `Cookie` header, if the browser sent one (ids are base64url: no decoding). */
export function sessionIdFrom(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over HTTPS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.header('Set-Cookie', sessionCookie(request, id));
}

export function sessionCookie(request: FastifyRequest, id: string): string {
  return `${SESSION_COOKIE}=${id}; ${attributes(request)}`;
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('Set-Cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes(request)}`);
}

function attributes(request: FastifyRequest): string {
  return `Path=/; HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`;
}
