import { createHash } from 'node:crypto';
import type { AuditOutcome, AuditQuery, AuditRecord, AuditVerification, Catalog } from '../catalog/catalog.ts';
import { parseDuration, parseRfc3339 } from '../domain/durations.ts';
import { FluxgateError } from '../domain/errors.ts';
import { parseLimit } from '../domain/paging.ts';
import type { Principal } from '../domain/principal.ts';
import type { Authorizer } from './authorize.ts';

export const AUDIT_DEFAULT_LIMIT = 100;
const OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed'];
const TARGET = { kind: 'server', name: 'audit log' } as const;

/** The filters as a client sends them: strings, checked here. */
export interface AuditFilters {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  outcome?: string;
  limit?: string;
  cursor?: string;
}

export interface AuditPage {
  entries: AuditRecord[];
  /** The cursor of the next (older) page, when there is one. */
  nextCursor: string | undefined;
}

/** Reading and verifying the audit log: who may is the matrix's `audit.read` / `audit.verify` rows. */
export class AuditService {
  constructor(private readonly deps: { catalog: Catalog; authorizer: Authorizer; now: () => number }) {}

  async list(principal: Principal, filters: AuditFilters): Promise<AuditPage> {
    await this.deps.authorizer.authorize(principal, 'audit.read', TARGET);
    const query = this.#query(filters);
    const rows = await this.deps.catalog.listAudit({ ...query, limit: query.limit + 1 });
    const entries = rows.slice(0, query.limit);
    const last = entries.at(-1);
    const nextCursor =
      rows.length > query.limit && last !== undefined ? encodeCursor(last.seq, fingerprint(filters)) : undefined;
    return { entries, nextCursor };
  }

  async verify(principal: Principal): Promise<AuditVerification> {
    await this.deps.authorizer.authorize(principal, 'audit.verify', TARGET);
    return this.deps.catalog.verifyAudit();
  }

  #query(filters: AuditFilters): AuditQuery {
    const now = this.deps.now();
    const query: AuditQuery = { limit: parseLimit(filters.limit, AUDIT_DEFAULT_LIMIT) };
    if (filters.since !== undefined) query.since = pointInTime(filters.since, now, 'since');
    if (filters.until !== undefined) query.until = pointInTime(filters.until, now, 'until');
    if (filters.actor !== undefined) query.actor = nonEmpty(filters.actor, 'actor');
    if (filters.action !== undefined) query.action = nonEmpty(filters.action, 'action');
    if (filters.outcome !== undefined) {
      const outcome = filters.outcome as AuditOutcome;
      if (!OUTCOMES.includes(outcome))
        throw invalid('outcome', `outcome must be one of ${OUTCOMES.join(', ')}, not '${filters.outcome}'`);
      query.outcome = outcome;
    }
    if (filters.cursor !== undefined) query.beforeSeq = decodeCursor(filters.cursor, fingerprint(filters));
    return query;
  }
}

function invalid(field: string, message: string): FluxgateError {
  return new FluxgateError('INVALID_INPUT', message, { field });
}

function nonEmpty(value: string, field: string): string {
  if (value.trim() === '') throw invalid(field, `${field} must not be empty`);
  return value;
}

/** RFC3339, or a duration back from now (`24h`). */
function pointInTime(text: string, now: number, field: string): number {
  if (/^\d{4}-/.test(text.trim())) return parseRfc3339(text, field);
  try {
    return now - parseDuration(text, field);
  } catch {
    throw invalid(field, `${field} must be an RFC3339 time or a duration back from now such as 24h, not '${text}'`);
  }
}

/** The filters a cursor was made for: a cursor only pages the query it came from. */
function fingerprint(filters: AuditFilters): string {
  const { cursor: _, ...rest } = filters;
  const canonical = JSON.stringify(
    ['since', 'until', 'actor', 'action', 'outcome', 'limit'].map((k) => rest[k as keyof typeof rest] ?? null),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

function encodeCursor(beforeSeq: number, print: string): string {
  return Buffer.from(JSON.stringify({ b: beforeSeq, q: print })).toString('base64url');
}

function decodeCursor(cursor: string, print: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { b, q } = (parsed ?? {}) as { b?: unknown; q?: unknown };
  if (typeof b !== 'number' || !Number.isSafeInteger(b) || typeof q !== 'string')
    throw invalid('cursor', 'cursor is not one this server gave out; pass back X-Next-Cursor unchanged');
  if (q !== print) throw invalid('cursor', 'cursor was made for another query: send it with the same filters');
  return b;
}
