import type { ClusterIdentity } from '../../catalog/catalog.ts';
import { toRfc3339 } from '../../domain/durations.ts';
import { fail, isFluxgateError } from '../../domain/errors.ts';
import type { PermissionSpec } from '../../domain/permissions.ts';
import type { TokenView } from '../../services/token-view.ts';

/** A permission as the Clustered API writes it: one action on one database name, or `*`. */
export interface V0Permission {
  action: string;
  resource: string;
}

/** A token as the management API shows it: camelCase, RFC3339, string ids, never a secret. */
export function v0TokenJson(view: TokenView, ids: ClusterIdentity) {
  return {
    accountId: ids.accountId,
    clusterId: ids.clusterId,
    id: String(view.id),
    name: view.name,
    description: view.description ?? '',
    ...(view.kind === 'management' ? { role: view.role ?? 'admin' } : { permissions: v0Permissions(view) }),
    status: view.status,
    tokenPrefix: view.hint,
    createdAt: toRfc3339(view.createdAt),
    ...(view.createdBy === null ? {} : { createdBy: String(view.createdBy) }),
    ...(view.expiresAt === null ? {} : { expiresAt: toRfc3339(view.expiresAt) }),
    ...(view.revokedAt === null ? {} : { revokedAt: toRfc3339(view.revokedAt) }),
    ...(view.lastUsedAt === null ? {} : { lastUsedAt: toRfc3339(view.lastUsedAt) }),
  };
}

function v0Permissions(view: TokenView): V0Permission[] {
  return view.permissionSpecs.flatMap((spec): V0Permission[] => {
    if (spec.resourceType === 'admin') return [{ action: '*', resource: '*' }];
    if (spec.resourceType === 'system') {
      const names = spec.names === '*' ? ['*'] : spec.names;
      return names.map((name) => ({ action: 'read', resource: `system:${name}` }));
    }
    const names = spec.names === '*' ? ['*'] : spec.names;
    return names.flatMap((resource) => spec.actions.map((action) => ({ action, resource })));
  });
}

/** The Clustered `permissions` array as permission specs; `field` is the body field it came in. */
export function fromV0Permissions(permissions: readonly V0Permission[], field: string): PermissionSpec[] {
  return permissions.map((permission, i) => {
    if (permission.action !== 'read' && permission.action !== 'write')
      fail('INVALID_PERMISSION', `${field}[${i}].action must be read or write, not '${permission.action}'`, {
        field: `${field}[${i}].action`,
      });
    const names = permission.resource === '*' ? '*' : [permission.resource];
    return { resourceType: 'db', names, actions: [permission.action] };
  });
}

/** Runs `work`, reporting a grant error under the v0 field name (`permissions[0].resource`). */
export async function withV0Fields<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (
      isFluxgateError(error) &&
      typeof error.details.field === 'string' &&
      error.details.field.endsWith('.resource_names')
    )
      error.details.field = error.details.field.replace(/\.resource_names$/, '.resource');
    throw error;
  }
}

export const V0_PERMISSION_SCHEMA = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['action', 'resource'],
    properties: { action: { type: 'string' }, resource: { type: 'string', minLength: 1 } },
  },
} as const;

/** Expiry fields every token body takes. */
export const V0_EXPIRY_SCHEMA = {
  expiresAt: { type: ['string', 'null'] },
  expiresIn: { type: ['string', 'null'] },
  expirationType: { type: 'string' },
} as const;
