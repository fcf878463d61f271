import type { Principal } from '../auth/principal.ts';
import { fail } from '../domain/errors.ts';
import type { SystemResource } from '../domain/permissions.ts';

/**
 * Health, ping, metrics and ready: each needs `system:<name>:read` (or admin) unless the operator
 * exempted it with `--disable-authz`, as InfluxDB 3 does for probes. Ping and health also answer any
 * valid token: the v1 clients' `ping()` checks the server with the token they read with, and a
 * token that works learns nothing from them that its own requests would not tell it.
 */
const OPEN_TO_ANY_TOKEN: ReadonlySet<SystemResource> = new Set(['ping', 'health']);

export class SystemService {
  constructor(private readonly exempt: ReadonlySet<SystemResource>) {}

  isExempt(resource: SystemResource): boolean {
    return this.exempt.has(resource);
  }

  checkAccess(principal: Principal, resource: SystemResource): void {
    if (this.exempt.has(resource) || principal.authority.allows({ kind: 'system', resource })) return;
    if (OPEN_TO_ANY_TOKEN.has(resource) && principal.kind !== 'anonymous') return;
    fail(
      'PERMISSION_DENIED',
      `the token '${principal.name}' may not read ${resource}: it needs system:${resource}:read`,
    );
  }
}
