import type { ClusterIdentity } from '../catalog/catalog.ts';
import { fail } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { Authorizer } from './authorize.ts';

/** Who is calling, as `GET /api/v0/whoami` tells it. */
export interface Whoami extends ClusterIdentity {
  serverVersion: string;
  kind: 'operator' | 'admin' | 'management' | 'user';
  tokenId?: number;
  name: string;
  role?: string;
  subject?: string;
  expiresAt: number | null;
}

/**
 * The door of the management API (Clustered/Dedicated v0): whether a principal may use it at all (a
 * database token may not: the matrix's `management_api.use`), which account and cluster this server
 * is, and who the caller is.
 */
export class ManagementApi {
  constructor(
    private readonly authorizer: Authorizer,
    readonly identity: ClusterIdentity,
    private readonly serverVersion: string,
  ) {}

  /** Refuses (and audits) a principal the matrix keeps out; a Dedicated path must name this account and cluster. */
  async enter(principal: Principal, path: Partial<ClusterIdentity>): Promise<void> {
    if (path.accountId !== undefined || path.clusterId !== undefined) {
      if (path.accountId !== this.identity.accountId)
        fail('NOT_FOUND', `no account '${path.accountId}' on this server`, { field: 'accountId' });
      if (path.clusterId !== this.identity.clusterId)
        fail('NOT_FOUND', `no cluster '${path.clusterId}' in account '${path.accountId}'`, { field: 'clusterId' });
    }
    await this.authorizer.authorize(principal, 'management_api.use', { kind: 'server' });
  }

  whoami(principal: Principal): Whoami {
    const base = { ...this.identity, serverVersion: this.serverVersion, name: principal.name };
    const expiresAt = Number.isFinite(principal.expiresAt) ? principal.expiresAt : null;
    if (principal.kind === 'user')
      return { ...base, kind: 'user', subject: principal.subject, role: principal.role, expiresAt };
    if (principal.kind !== 'token' || principal.tokenKind === 'database')
      fail('PERMISSION_DENIED', 'only management, admin and operator tokens and signed-in users have a whoami');
    return {
      ...base,
      kind: principal.tokenKind,
      tokenId: principal.tokenId,
      ...(principal.role === null ? {} : { role: principal.role }),
      expiresAt,
    };
  }
}
