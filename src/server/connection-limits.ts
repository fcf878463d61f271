import type { Server } from 'node:http';

/** How long a client may take, and how many connections it may hold: nothing waits forever on a slow peer. */
export interface ConnectionLimits {
  /** From a connection's first byte until its request headers are complete. */
  headersTimeoutMs: number;
  /** From a request's first byte until its body is complete (covers a body that trickles in). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Most open connections (HTTP and gRPC share them); past it new ones are closed at once. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4096,
};

/** How often Node checks the header and request timeouts (its default, 30 s, would let them overrun by that much). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** The Fastify options that carry the limits into the HTTP server it creates. */
export function fastifyConnectionOptions(limits: ConnectionLimits) {
  return {
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
  };
}

/**
 * Caps the open connections. When a connection is refused for the cap, idle keep-alive connections are
 * closed, so idle clients cannot keep real requests out for longer than one refused attempt.
 */
export function capConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => server.closeIdleConnections());
}
