import type { Principal } from '../auth/principal.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { FluxgateError, fail } from '../domain/errors.ts';
import { DB_ACTIONS, type DbAction, type Need } from '../domain/permissions.ts';
import { type AuditTarget, auditAttempt, auditEntry } from './audit.ts';

export interface AuthorizeContext {
  catalog: Catalog;
  now: () => number;
  onError: (error: unknown) => void;
}

/**
 * The one place a management action is allowed or refused. A refusal is audited and thrown as
 * PERMISSION_DENIED; data-plane checks (every write and query) use `principal.authority` directly.
 */
export async function authorize(
  context: AuthorizeContext,
  principal: Principal,
  need: Need,
  action: string,
  target: AuditTarget,
): Promise<void> {
  if (principal.authority.allows(need)) return;
  await auditAttempt(
    context.catalog,
    auditEntry(principal, action, target, context.now(), 'denied', { need: describeNeed(need, target.name) }),
    context.onError,
  );
  throw new FluxgateError(
    'PERMISSION_DENIED',
    `the token '${principal.name}' may not ${action.replace(/_/g, ' ')}: it needs ${describeNeed(need, target.name)}`,
    {
      action,
    },
  );
}

export function describeNeed(need: Need, targetName?: string | null): string {
  switch (need.kind) {
    case 'admin':
      return 'an admin token';
    case 'system':
      return `system:${need.resource}:read`;
    case 'db': {
      const actions = (Object.keys(DB_ACTIONS) as DbAction[]).filter((a) => need.actions & DB_ACTIONS[a]);
      return `db:${need.dbId === null ? '*' : (targetName ?? need.dbId)}:${actions.join(',')}`;
    }
  }
}

/**
 * The data-plane check (every write and query): PERMISSION_DENIED naming the right that is missing.
 * Not audited, unlike management actions: a misconfigured writer would flood the audit log.
 */
export function requireRight(principal: Principal, need: Need, verb: string, targetName: string): void {
  if (principal.authority.allows(need)) return;
  fail(
    'PERMISSION_DENIED',
    `the token '${principal.name}' may not ${verb} '${targetName}': it needs ${describeNeed(need, targetName)}`,
  );
}
