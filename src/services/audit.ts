import type { AuditEntry, AuditOutcome, Catalog } from '../catalog/catalog.ts';
import type { Principal } from '../domain/principal.ts';

export interface AuditTarget {
  kind: AuditEntry['targetKind'];
  id?: number | null;
  name?: string | null;
}

/**
 * The audit record of an action by `principal`. Details must never hold a secret. A signed-in
 * user is recorded under their display name with their subject (`actorSubject`) in the details,
 * since a display name need not be unique.
 */
export function auditEntry(
  principal: Principal,
  action: string,
  target: AuditTarget,
  at: number,
  outcome: AuditOutcome = 'ok',
  details: Record<string, unknown> = {},
): AuditEntry {
  return {
    at,
    actorTokenId: principal.tokenId,
    actorName: principal.name,
    action,
    targetKind: target.kind,
    targetId: target.id ?? null,
    targetName: target.name ?? null,
    outcome,
    sourceIp: principal.sourceIp,
    details: principal.kind === 'user' ? { actorSubject: principal.subject, ...details } : details,
    actorKind: principal.kind === 'token' ? principal.tokenKind : principal.kind,
    requestId: principal.requestId ?? null,
  };
}

/** Records an attempt that changed nothing (denied or failed); never lets the audit write fail the request. */
export async function auditAttempt(
  catalog: Catalog,
  entry: AuditEntry,
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    await catalog.appendAudit(entry);
  } catch (error) {
    onError(error);
  }
}

/** Attempts (refused or failed actions) written to the catalog's audit log one by one. */
export class CatalogAttemptLog {
  constructor(
    private readonly catalog: Catalog,
    private readonly onError: (error: unknown) => void,
  ) {}

  recordAttempt(entry: AuditEntry): Promise<void> {
    return auditAttempt(this.catalog, entry, this.onError);
  }
}
