import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord, AuditVerification } from '../../catalog/catalog.ts';
import { toRfc3339 } from '../../domain/durations.ts';
import { fail } from '../../domain/errors.ts';
import type { AuditFilters, AuditService } from '../../services/audit-service.ts';
import { sendPage } from './v0-paging.ts';

/** An audit entry as the v0 contract shows it: ids as strings (database ids as numbers), RFC3339 times. */
export function auditEntryJson(entry: AuditRecord) {
  const targetId =
    entry.targetId === null ? undefined : entry.targetKind === 'database' ? entry.targetId : String(entry.targetId);
  return {
    id: String(entry.id),
    seq: entry.seq,
    time: toRfc3339(entry.at),
    ...(entry.actorTokenId === null ? {} : { actorTokenId: String(entry.actorTokenId) }),
    ...(entry.actorName === null ? {} : { actorName: entry.actorName }),
    ...(entry.actorKind === null ? {} : { actorKind: entry.actorKind }),
    action: entry.action,
    targetKind: entry.targetKind,
    ...(targetId === undefined ? {} : { targetId }),
    ...(entry.targetName === null ? {} : { targetName: entry.targetName }),
    outcome: entry.outcome,
    ...(entry.sourceIp === null ? {} : { sourceAddress: entry.sourceIp }),
    ...(entry.requestId === null ? {} : { requestId: entry.requestId }),
    count: entry.count,
    firstTime: toRfc3339(entry.firstAt),
    lastTime: toRfc3339(entry.lastAt),
    details: entry.details,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

export function verificationJson(report: AuditVerification) {
  return {
    ok: report.ok,
    checked: report.checked,
    anchor: report.anchor,
    head: report.head,
    ...(report.problem === undefined ? {} : { problem: report.problem }),
  };
}

const FILTERS = ['since', 'until', 'actor', 'action', 'outcome', 'limit', 'cursor'] as const;

/**
 * `GET /audit` (newest first, paged) and `GET /audit/verify`, relative to a management API prefix
 * (both path styles, see v0-scope.ts). Translation only: who may read is the AuditService's.
 */
export function registerAuditRoutes(scope: FastifyInstance, audit: AuditService): void {
  scope.get('/audit', async (request, reply) => {
    const page = await audit.list(request.principal, filtersOf(request));
    const entries = page.entries.map(auditEntryJson);
    return sendPage(
      request,
      reply,
      page.nextCursor === undefined ? { items: [] } : { items: [], next: page.nextCursor },
      entries,
    );
  });
  scope.get('/audit/verify', async (request) => verificationJson(await audit.verify(request.principal)));
}

function filtersOf(request: FastifyRequest): AuditFilters {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const filters: AuditFilters = {};
  for (const [name, value] of Object.entries(query)) {
    if (!(FILTERS as readonly string[]).includes(name))
      fail('INVALID_INPUT', `unknown query parameter '${name}'`, { field: name });
    if (typeof value !== 'string') fail('INVALID_INPUT', `${name} may be given once`, { field: name });
    filters[name as (typeof FILTERS)[number]] = value;
  }
  return filters;
}
