import type {} from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { SystemResource } from '../domain/permissions.ts';

/** How a route authenticates: always, only when a credential is present, as a system probe, or never. */
export type AuthPolicy = 'required' | 'optional' | 'none' | { system: SystemResource };

/** Each API family keeps its own error body shape. */
export type ApiFamily = 'v3' | 'v2' | 'v1' | 'v0' | 'plain';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    auth?: AuthPolicy;
    family?: ApiFamily;
    /** The v1 paths (/write, /query) also take the token as `?p=`. */
    v1Password?: boolean;
  }
}
