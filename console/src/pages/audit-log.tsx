import { useId, useState } from 'react';
import { api, request } from '../api/client.ts';
import type { AuditEntry, AuditVerification } from '../api/types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { DateTimeFields } from '../components/date-time-fields.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice, Notice } from '../components/notice.tsx';
import { PageSizeSelect } from '../components/page-size-select.tsx';
import { PageHeader } from '../components/toolbar.tsx';
import {
  AUDIT_ACTION_SUGGESTIONS,
  AUDIT_PAGE_SIZES,
  type AuditFilterFields,
  type AuditFilterProblem,
  type AuditFilterQuery,
  auditFilterQuery,
  auditPageQuery,
  describeVerification,
  NO_AUDIT_FILTERS,
} from '../lib/audit-query.ts';
import { useLoad } from '../lib/use-load.ts';

interface AuditPage {
  entries: AuditEntry[];
  next: string | undefined;
  /** Which page this is (0: the newest) and where it starts, as fetched. */
  index: number;
  first: number;
}

/**
 * The audit log as `GET /api/v0/audit` pages it: newest first, one request per page, the next page
 * by the cursor the server gave (`X-Next-Cursor`), the previous ones by the cursors already seen.
 */
export function AuditLogPage() {
  const [draft, setDraft] = useState<AuditFilterFields>(NO_AUDIT_FILTERS);
  const [applied, setApplied] = useState<AuditFilterQuery>({});
  const [pageSize, setPageSize] = useState<number>(50);
  // The cursor each visited page was fetched with; the last one is the page on screen.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const checked = auditFilterQuery(draft);
  const problems = checked.ok ? [] : checked.problems;

  const page = useLoad(async (): Promise<AuditPage> => {
    const response = await request<AuditEntry[]>('GET', '/api/v0/audit', {
      query: auditPageQuery(applied, pageSize, cursors.at(-1)),
    });
    const next = response.headers.get('x-next-cursor');
    return {
      entries: response.body,
      next: next === null || next === '' ? undefined : next,
      index: cursors.length - 1,
      first: (cursors.length - 1) * pageSize + 1,
    };
  }, [applied, pageSize, cursors]);

  const verify = useVerification();
  const badId = verify.report?.ok === false ? verify.report.problem?.id : undefined;
  const entries = page.data?.entries ?? [];
  const pageIndex = cursors.length - 1;
  const shown = page.data;

  const apply = (filters: AuditFilterQuery) => {
    setApplied(filters);
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Audit Log"
        subtitle="Every management action and refusal, newest first. Entries are hash-chained: verification finds an edited, removed or reordered entry."
      />
      <form
        className="filters"
        aria-label="Audit filters"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (checked.ok) apply(checked.query);
        }}
      >
        <Field
          label="Actor"
          value={draft.actor}
          onChange={(actor) => setDraft({ ...draft, actor })}
          placeholder="Token name or id"
          hint="Who acted: a token's name or id"
          autoComplete="off"
        />
        <ActionField value={draft.action} onChange={(action) => setDraft({ ...draft, action })} />
        <SelectField
          label="Outcome"
          value={draft.outcome}
          onChange={(outcome) => setDraft({ ...draft, outcome })}
          options={[
            { value: '', label: 'Any' },
            { value: 'ok', label: 'ok' },
            { value: 'denied', label: 'denied' },
            { value: 'failed', label: 'failed' },
          ]}
        />
        <fieldset className="since">
          <legend>From (UTC)</legend>
          <DateTimeFields
            date={draft.sinceDate}
            time={draft.sinceTime}
            onDate={(sinceDate) => setDraft({ ...draft, sinceDate })}
            onTime={(sinceTime) => setDraft({ ...draft, sinceTime })}
            dateError={problemOf(problems, 'sinceDate')}
            timeError={problemOf(problems, 'sinceTime')}
            labels={{ date: 'Since Date', time: 'Since Time' }}
          />
        </fieldset>
        <fieldset className="since">
          <legend>To (UTC)</legend>
          <DateTimeFields
            date={draft.untilDate}
            time={draft.untilTime}
            onDate={(untilDate) => setDraft({ ...draft, untilDate })}
            onTime={(untilTime) => setDraft({ ...draft, untilTime })}
            dateError={problemOf(problems, 'untilDate')}
            timeError={problemOf(problems, 'untilTime')}
            labels={{ date: 'Until Date', time: 'Until Time' }}
          />
        </fieldset>
        <div className="filter-actions">
          <button type="submit" className="button-primary" disabled={!checked.ok}>
            Apply Filters
          </button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setDraft(NO_AUDIT_FILTERS);
              apply({});
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <div className="verify">
        <button type="button" className="button-secondary" disabled={verify.running} onClick={verify.run}>
          {verify.running ? 'Verifying…' : 'Verify Audit Chain'}
        </button>
        {verify.report === undefined ? null : (
          <Notice kind={verify.report.ok ? 'success' : 'warning'}>{describeVerification(verify.report)}</Notice>
        )}
        <ErrorNotice error={verify.error} />
      </div>
      <ErrorNotice error={page.error} />
      <DataTable
        caption="Audit entries"
        columns={auditColumns(badId)}
        rows={entries}
        rowKey={(e) => e.id}
        rowClassName={(e) => (e.id === badId ? 'row-bad' : undefined)}
        empty={page.loading ? 'Loading…' : 'No entries match.'}
        pager={
          <AuditPager
            pageSize={pageSize}
            onPageSize={(size) => {
              setPageSize(size);
              setCursors([undefined]);
            }}
            range={
              shown === undefined
                ? 'Loading…'
                : shown.entries.length === 0
                  ? `Page ${shown.index + 1}: no entries`
                  : `Page ${shown.index + 1}: entries ${shown.first}–${shown.first + shown.entries.length - 1}`
            }
            busy={page.loading}
            onNewest={pageIndex === 0 ? undefined : () => setCursors([undefined])}
            onPrevious={pageIndex === 0 ? undefined : () => setCursors((was) => was.slice(0, -1))}
            onNext={
              page.data?.next === undefined
                ? undefined
                : () => {
                    const next = page.data?.next;
                    setCursors((was) => [...was, next]);
                  }
            }
            onRefresh={() => setCursors((was) => [...was])}
          />
        }
      />
    </section>
  );
}

function problemOf(problems: AuditFilterProblem[], field: AuditFilterProblem['field']): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

function useVerification() {
  const [report, setReport] = useState<AuditVerification>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const run = () => {
    setRunning(true);
    setError(undefined);
    setReport(undefined);
    api
      .get<AuditVerification>('/api/v0/audit/verify')
      .then(setReport, (caught: Error) => setError(caught))
      .finally(() => setRunning(false));
  };
  return { report, error, running, run };
}

function ActionField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const listId = useId();
  return (
    <>
      <Field
        label="Action"
        value={value}
        onChange={onChange}
        placeholder="database_token.*"
        hint="An action, or a prefix ending in *"
        autoComplete="off"
        list={listId}
      />
      <datalist id={listId}>
        {AUDIT_ACTION_SUGGESTIONS.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
    </>
  );
}

interface PagerProps {
  pageSize: number;
  onPageSize: (size: number) => void;
  range: string;
  busy: boolean;
  onNewest: (() => void) | undefined;
  onPrevious: (() => void) | undefined;
  onNext: (() => void) | undefined;
  onRefresh: () => void;
}

function AuditPager({ pageSize, onPageSize, range, busy, onNewest, onPrevious, onNext, onRefresh }: PagerProps) {
  return (
    <nav className="paginator" aria-label="Audit entries pages">
      <PageSizeSelect label="Entries per page" sizes={AUDIT_PAGE_SIZES} value={pageSize} onChange={onPageSize} />
      <span className="paginator-range" aria-live="polite">
        {range}
      </span>
      <button type="button" className="button-secondary" onClick={onRefresh} disabled={busy}>
        Refresh
      </button>
      <button type="button" className="button-secondary" onClick={onNewest} disabled={busy || onNewest === undefined}>
        Newest
      </button>
      <button
        type="button"
        className="button-secondary"
        onClick={onPrevious}
        disabled={busy || onPrevious === undefined}
      >
        Previous page
      </button>
      <button type="button" className="button-secondary" onClick={onNext} disabled={busy || onNext === undefined}>
        Next page
      </button>
    </nav>
  );
}

function auditColumns(badId: string | undefined): Column<AuditEntry>[] {
  return [
    {
      key: 'time',
      header: 'Time',
      className: 'col-time',
      render: (e) => (
        <>
          <Instant iso={e.time} />
          {e.id === badId ? <span className="badge badge-bad">First bad entry</span> : null}
          {(e.count ?? 1) > 1 && e.lastTime !== undefined ? (
            <span className="cell-note">
              last <Instant iso={e.lastTime} />
            </span>
          ) : null}
        </>
      ),
    },
    {
      key: 'actor',
      header: 'Actor',
      render: (e) => (
        <>
          {e.actorName ?? e.actorTokenId ?? 'no token'}
          {e.actorKind === undefined ? null : <span className="cell-note">{e.actorKind}</span>}
        </>
      ),
    },
    { key: 'action', header: 'Action', render: (e) => <code>{e.action}</code> },
    {
      key: 'target',
      header: 'Target',
      className: 'col-wrap',
      render: (e) => (
        <>
          {e.targetName ?? e.targetId ?? ''}
          <span className="cell-note">
            {[e.targetKind, e.targetId === undefined || e.targetName === undefined ? '' : `id ${e.targetId}`]
              .filter(Boolean)
              .join(', ')}
          </span>
        </>
      ),
    },
    {
      key: 'outcome',
      header: 'Outcome',
      render: (e) => (
        <>
          <span className={`badge badge-${e.outcome}`}>{e.outcome}</span>
          {(e.count ?? 1) > 1 ? <span className="cell-note">× {e.count}</span> : null}
          {typeof e.details?.reason === 'string' ? <span className="cell-note">{e.details.reason}</span> : null}
        </>
      ),
    },
    { key: 'source', header: 'Source', render: (e) => e.sourceAddress ?? '' },
    {
      key: 'requestId',
      header: 'Request ID',
      render: (e) => (e.requestId === undefined ? '' : <code>{e.requestId}</code>),
    },
    { key: 'details', header: 'Details', className: 'col-wrap', render: (e) => <Details entry={e} /> },
  ];
}

/** What else the entry records (the reason is shown with the outcome). */
function Details({ entry }: { entry: AuditEntry }) {
  const items = Object.entries(entry.details ?? {}).filter(([key]) => key !== 'reason');
  if (items.length === 0) return null;
  return (
    <dl className="details-list">
      {items.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt> <dd>{detailText(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function detailText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  return JSON.stringify(value);
}
