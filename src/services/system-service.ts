import type { SystemResource } from '../domain/permissions.ts';
import type { Principal } from '../domain/principal.ts';
import { requireRight } from './authorize.ts';

/**
 * Health, ping, metrics and ready: each needs `system:<name>:read` (or admin) unless the operator
 * exempted it with `--disable-authz`, as InfluxDB 3 does for probes. Ping, health and ready are the
 * matrix's `system.probe`, which any valid token may do.
 */
const OPEN_TO_ANY_TOKEN: ReadonlySet<SystemResource> = new Set(['ping', 'health', 'ready']);

export class SystemService {
  constructor(
    private readonly exempt: ReadonlySet<SystemResource>,
    /** Gateway mode: resolves when the upstream data engine answers; throws UPSTREAM_UNAVAILABLE when it does not. */
    private readonly upstream?: () => Promise<void>,
  ) {}

  /** `/health`: the access check, then (in gateway mode) the upstream's reachability. */
  async checkHealth(principal: Principal): Promise<void> {
    this.checkAccess(principal, 'health');
    await this.upstream?.();
  }

  isExempt(resource: SystemResource): boolean {
    return this.exempt.has(resource);
  }

  checkAccess(principal: Principal, resource: SystemResource): void {
    if (this.exempt.has(resource)) return;
    const action = OPEN_TO_ANY_TOKEN.has(resource) ? 'system.probe' : 'system.read';
    requireRight(principal, action, { kind: 'system', resource }, resource);
  }
}
