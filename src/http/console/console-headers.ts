import type { FastifyReply } from 'fastify';

/**
 * No inline script or style, no eval, nothing from another origin, no framing. The built console
 * needs nothing more: one module script, one stylesheet, SVG charts, fetches to its own origin.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

/** The headers of every console response: pages, assets and the session endpoints. */
export function setConsoleHeaders(reply: FastifyReply, cache: 'no-store' | 'immutable' | 'revalidate'): FastifyReply {
  return reply
    .header('Content-Security-Policy', CONSOLE_CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'no-referrer')
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cross-Origin-Resource-Policy', 'same-origin')
    .header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()')
    .header(
      'Cache-Control',
      cache === 'immutable' ? 'public, max-age=31536000, immutable' : cache === 'revalidate' ? 'no-cache' : 'no-store',
    );
}
