import { useState } from 'react';
import { api, request } from '../api/client.ts';
import type { AuditEntry, AuditVerification } from '../api/types.ts';
import { type Column, DataTable } from '../components/data-table.tsx';
import { DateTimeFields } from '../components/date-time-fields.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { ErrorNotice, Notice } from '../components/notice.tsx';
import { PageHeader } from '../components/toolbar.tsx';
import { expiryFrom } from '../lib/expiry.ts';
import { formatInstant } from '../lib/format.ts';
import { useLoad } from '../lib/use-load.ts';

interface Filters {
  actor: string;
  action: string;
  outcome: string;
  sinceDate: string;
  sinceTime: string;
}

const EMPTY: Filters = { actor: '', action: '', outcome: '', sinceDate: '', sinceTime: '' };

/** A typed date/time read as an instant (past allowed), or the message naming what is wrong. */
function sinceFrom(filters: Filters): { ok: true; since: string | undefined } | { ok: false; message: string } {
  if (filters.sinceDate.trim() === '') return { ok: true, since: undefined };
  const result = expiryFrom(
    { enabled: true, date: filters.sinceDate, time: filters.sinceTime },
    Number.NEGATIVE_INFINITY,
  );
  return result.ok ? { ok: true, since: result.expiresAt ?? undefined } : { ok: false, message: result.message };
}

export function AuditLogPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [verification, setVerification] = useState<AuditVerification>();
  const [verifyError, setVerifyError] = useState<Error>();
  const since = sinceFrom(draft);

  const page = useLoad(async () => {
    const applySince = sinceFrom(applied);
    const response = await request<AuditEntry[]>('GET', '/api/v0/audit', {
      query: {
        actor: applied.actor.trim() || undefined,
        action: applied.action.trim() || undefined,
        outcome: applied.outcome || undefined,
        since: applySince.ok ? applySince.since : undefined,
        limit: 200,
      },
    });
    setEntries(response.body);
    setCursor(response.headers.get('x-next-cursor') ?? undefined);
    return response.body.length;
  }, [applied]);

  const loadMore = async () => {
    if (cursor === undefined) return;
    const applySince = sinceFrom(applied);
    const response = await request<AuditEntry[]>('GET', '/api/v0/audit', {
      query: {
        actor: applied.actor.trim() || undefined,
        action: applied.action.trim() || undefined,
        outcome: applied.outcome || undefined,
        since: applySince.ok ? applySince.since : undefined,
        limit: 200,
        cursor,
      },
    });
    setEntries((was) => [...was, ...response.body]);
    setCursor(response.headers.get('x-next-cursor') ?? undefined);
  };

  const columns: Column<AuditEntry>[] = [
    { key: 'time', header: 'Time', render: (e) => formatInstant(e.lastTime ?? e.time) },
    { key: 'actor', header: 'Actor', render: (e) => e.actorName ?? e.actorTokenId ?? '–' },
    { key: 'action', header: 'Action', render: (e) => <code>{e.action}</code> },
    { key: 'target', header: 'Target', render: (e) => e.targetName ?? e.targetId ?? '' },
    {
      key: 'outcome',
      header: 'Outcome',
      render: (e) => <span className={`badge badge-${e.outcome}`}>{e.outcome}</span>,
    },
    {
      key: 'reason',
      header: 'Details',
      render: (e) => (typeof e.details?.reason === 'string' ? e.details.reason : ''),
    },
    { key: 'source', header: 'Source', render: (e) => e.sourceAddress ?? '' },
    { key: 'count', header: 'Count', render: (e) => e.count ?? 1 },
  ];

  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Audit Log"
        subtitle="Every management action and refusal, newest first. Entries are hash-chained: verification finds an edited, removed or reordered entry."
      />
      <form
        className="filters"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (since.ok) setApplied(draft);
        }}
      >
        <Field
          label="Actor"
          value={draft.actor}
          onChange={(actor) => setDraft({ ...draft, actor })}
          placeholder="Token name or id"
        />
        <Field
          label="Action"
          value={draft.action}
          onChange={(action) => setDraft({ ...draft, action })}
          placeholder="database_token.*"
        />
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
          <legend>Since (UTC)</legend>
          <SinceFields draft={draft} setDraft={setDraft} error={since.ok ? undefined : since.message} />
        </fieldset>
        <div className="filter-actions">
          <button type="submit" className="button-primary">
            Apply Filters
          </button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <div className="verify">
        <button
          type="button"
          className="button-secondary"
          onClick={() => {
            setVerifyError(undefined);
            api
              .get<AuditVerification>('/api/v0/audit/verify')
              .then(setVerification, (caught: Error) => setVerifyError(caught));
          }}
        >
          Verify Audit Chain
        </button>
        {verification === undefined ? null : verification.ok ? (
          <Notice kind="success">Chain intact: {verification.checked} entries checked.</Notice>
        ) : (
          <Notice kind="warning">
            Chain broken after {verification.checked} entries: {verification.problem?.message ?? 'unknown problem'}
          </Notice>
        )}
        <ErrorNotice error={verifyError} />
      </div>
      <ErrorNotice error={page.error} />
      <DataTable
        caption="Audit entries"
        columns={columns}
        rows={entries}
        rowKey={(e) => e.id}
        empty="No entries match."
      />
      {cursor === undefined ? null : (
        <button type="button" className="button-secondary" onClick={() => void loadMore()}>
          Load older entries
        </button>
      )}
    </section>
  );
}

function SinceFields({
  draft,
  setDraft,
  error,
}: {
  draft: Filters;
  setDraft: (filters: Filters) => void;
  error: string | undefined;
}) {
  return (
    <div className="since-fields">
      <DateTimeFields
        date={draft.sinceDate}
        time={draft.sinceTime}
        onDate={(sinceDate) => setDraft({ ...draft, sinceDate })}
        onTime={(sinceTime) => setDraft({ ...draft, sinceTime })}
        dateError={error}
        labels={{ date: 'Since Date', time: 'Since Time' }}
      />
    </div>
  );
}
