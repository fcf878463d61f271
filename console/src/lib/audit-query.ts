/**
 * The Audit Log page's filters as `GET /api/v0/audit` takes them: `since`, `until`, `actor`, `action`,
 * `outcome`, `limit` and `cursor`, and nothing else (the API refuses an unknown parameter). Times are
 * typed as a UTC date and time, as on every other page, and sent as RFC3339.
 */
import type { AuditVerification } from '../api/types.ts';
import { parseDate, parseTime } from './expiry.ts';

export interface AuditFilterFields {
  actor: string;
  action: string;
  outcome: string;
  sinceDate: string;
  sinceTime: string;
  untilDate: string;
  untilTime: string;
}

export const NO_AUDIT_FILTERS: AuditFilterFields = {
  actor: '',
  action: '',
  outcome: '',
  sinceDate: '',
  sinceTime: '',
  untilDate: '',
  untilTime: '',
};

/** The filter part of the query: only what was filled in. */
export interface AuditFilterQuery {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  outcome?: string;
}

export type AuditFilterProblem = {
  field: 'sinceDate' | 'sinceTime' | 'untilDate' | 'untilTime';
  message: string;
};

export type AuditFilterResult = { ok: true; query: AuditFilterQuery } | { ok: false; problems: AuditFilterProblem[] };

export const AUDIT_PAGE_SIZES = [25, 50, 100] as const;

/**
 * Action filters offered beside the field: one per kind of thing the log records (a prefix ending in
 * `*` matches every action of that kind), and the aggregated failed authentications.
 */
export const AUDIT_ACTION_SUGGESTIONS = [
  'database.*',
  'database_token.*',
  'management_token.*',
  'admin_token.*',
  'operator_token.*',
  'user.*',
  'token_secret.purge',
  'authentication.failed',
] as const;

function instant(
  date: string,
  time: string,
  fields: { date: AuditFilterProblem['field']; time: AuditFilterProblem['field'] },
  label: string,
): { at: number | undefined; problems: AuditFilterProblem[] } {
  if (date.trim() === '') {
    return time.trim() === ''
      ? { at: undefined, problems: [] }
      : { at: undefined, problems: [{ field: fields.date, message: `Enter a date for ${label} as well` }] };
  }
  const day = parseDate(date);
  if (typeof day === 'string') return { at: undefined, problems: [{ field: fields.date, message: day }] };
  const clock = parseTime(time.trim() === '' ? '00:00' : time);
  if (typeof clock === 'string') return { at: undefined, problems: [{ field: fields.time, message: clock }] };
  return {
    at: Date.UTC(day.year, day.month - 1, day.day, clock.hours, clock.minutes, clock.seconds),
    problems: [],
  };
}

/** Checks the typed filters and turns them into the API's query, or names every field at fault. */
export function auditFilterQuery(fields: AuditFilterFields): AuditFilterResult {
  const since = instant(fields.sinceDate, fields.sinceTime, { date: 'sinceDate', time: 'sinceTime' }, 'Since');
  const until = instant(fields.untilDate, fields.untilTime, { date: 'untilDate', time: 'untilTime' }, 'Until');
  const problems = [...since.problems, ...until.problems];
  if (since.at !== undefined && until.at !== undefined && until.at < since.at) {
    problems.push({ field: 'untilDate', message: 'Until must not be before Since' });
  }
  if (problems.length > 0) return { ok: false, problems };
  const query: AuditFilterQuery = {};
  if (since.at !== undefined) query.since = new Date(since.at).toISOString();
  if (until.at !== undefined) query.until = new Date(until.at).toISOString();
  if (fields.actor.trim() !== '') query.actor = fields.actor.trim();
  if (fields.action.trim() !== '') query.action = fields.action.trim();
  if (fields.outcome !== '') query.outcome = fields.outcome;
  return { ok: true, query };
}

/** The whole query of one page: the filters, the page size and (after the first page) the cursor. */
export function auditPageQuery(
  filters: AuditFilterQuery,
  limit: number,
  cursor: string | undefined,
): Record<string, string | number> {
  return { ...filters, limit, ...(cursor === undefined ? {} : { cursor }) };
}

/** The verification report in a sentence: intact, or the first bad entry named. */
export function describeVerification(report: AuditVerification): string {
  const range =
    report.head === null || report.head === undefined
      ? 'the log is empty'
      : `seq ${(report.anchor?.seq ?? 0) + 1}–${report.head.seq}`;
  if (report.ok) return `Chain intact: ${report.checked} entries checked (${range}).`;
  const problem = report.problem;
  if (problem === undefined) return `Chain broken after ${report.checked} entries.`;
  return `Chain broken. First bad entry: ${problem.id} (seq ${problem.seq}, ${problem.kind}): ${problem.message}. ${report.checked} entries before it verified.`;
}

/**
 * The newest refusals of both kinds, for the Overview: actions refused to a known principal
 * (`denied`) and failed authentications (`failed`, aggregated per source and reason). The API takes
 * one outcome per request, so the two newest-first pages are merged by seq.
 */
export function newestRefusals<T extends { seq: number }>(denied: T[], failed: T[], limit: number): T[] {
  return [...denied, ...failed].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
