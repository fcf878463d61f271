import type { AuditEntry } from '../catalog/catalog.ts';
import type { DataAction, ManagementAction } from '../domain/actions.ts';
import { decide, refusal, type Verdict } from '../domain/authorization.ts';
import { type ErrorCode, isFluxgateError } from '../domain/errors.ts';
import type { Need } from '../domain/permissions.ts';
import type { Principal } from '../domain/principal.ts';
import { type AuditTarget, auditEntry } from './audit.ts';

/** Where refused and failed attempts go: the audit log, which aggregates repeated ones. Never fails the request. */
export interface AttemptSink {
  recordAttempt(entry: AuditEntry): Promise<void>;
}

/** Refusals already audited by `refuse`, so `attempt` does not record them a second time. */
const recorded = new WeakSet<object>();

/**
 * The one place a management action is allowed or refused: the matrix of src/domain/authorization.ts,
 * and the rules of a service that go beyond it (a role ceiling, a grant subset, an expiry ceiling)
 * through `refuse`. Every refusal is audited and thrown with the one message builder.
 */
export class Authorizer {
  constructor(
    private readonly sink: AttemptSink,
    private readonly now: () => number,
  ) {}

  /** Throws (and audits) unless the matrix lets `principal` do `action`; `need` for grant-based cells. */
  async authorize(principal: Principal, action: ManagementAction, target: AuditTarget, need?: Need): Promise<void> {
    const verdict = decide(principal, action, need, target.name);
    if (!verdict.allowed) await this.refuse(principal, action, target, verdict.code, verdict.reason);
  }

  /** The matrix's answer without auditing: for filtering what a list shows. */
  allows(principal: Principal, action: ManagementAction, need?: Need): boolean {
    return decide(principal, action, need).allowed;
  }

  /** Audits a refusal and throws it. */
  async refuse(
    principal: Principal,
    action: ManagementAction,
    target: AuditTarget,
    code: ErrorCode,
    reason: string,
  ): Promise<never> {
    const error = refusal(principal, action, { code, reason }, describeTarget(target));
    await this.sink.recordAttempt(
      auditEntry(principal, action, target, this.now(), 'denied', { code, reason: error.message }),
    );
    recorded.add(error);
    throw error;
  }

  /**
   * Runs a management action; when it fails on bad input or a conflict (a 4xx), records the attempt
   * with its code and message (a refusal is recorded once, by `refuse`). `target` may be completed
   * by `work` as it learns more (the id behind a name).
   */
  async attempt<T>(principal: Principal, action: string, target: AuditTarget, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isFluxgateError(error) && error.status < 500 && !recorded.has(error)) {
        recorded.add(error);
        await this.sink.recordAttempt(
          auditEntry(principal, action, target, this.now(), 'failed', { code: error.code, reason: error.message }),
        );
      }
      throw error;
    }
  }
}

function describeTarget(target: AuditTarget): string | undefined {
  if (target.name !== undefined && target.name !== null) return `'${target.name}'`;
  if (target.id !== undefined && target.id !== null) return `#${target.id}`;
  return undefined;
}

/**
 * The data-plane check (every write, query and probe): the matrix cell for the principal and the
 * grants it holds, refused with the same message builder. Not audited: a misconfigured writer would
 * flood the audit log. Synchronous, as it sits on the hot path.
 */
export function requireRight(principal: Principal, action: DataAction, need: Need, targetName: string): void {
  const verdict: Verdict = decide(principal, action, need, targetName);
  if (!verdict.allowed) throw refusal(principal, action, verdict, `'${targetName}'`);
}

/** The data-plane answer without throwing (a write that may create its database). */
export function hasRight(principal: Principal, action: DataAction, need: Need): boolean {
  return decide(principal, action, need).allowed;
}
