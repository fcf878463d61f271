import { useState } from 'react';
import { api } from '../api/client.ts';
import type { SessionInfo, V3IssuedToken, V3Token } from '../api/types.ts';
import { type Column, DataTable, type SortState, sortRows } from '../components/data-table.tsx';
import { Dialog } from '../components/dialog.tsx';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field } from '../components/field.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { RiskConfirm } from '../components/risk-confirm.tsx';
import { RowMenu } from '../components/row-menu.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { PageHeader, StatusBadge, Toolbar } from '../components/toolbar.tsx';
import { type ExpiryFields, expiryFrom } from '../lib/expiry.ts';
import { fieldError, formError } from '../lib/field-errors.ts';
import { matches } from '../lib/search.ts';
import { useLoad } from '../lib/use-load.ts';
import { RevokeDialog } from './database-token-dialogs.tsx';

const OPERATOR = '_admin';
type Open = { kind: 'create' } | { kind: 'regenerate' } | { kind: 'revoke'; token: V3Token } | undefined;
const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso));

/** Named admin tokens and the operator token `_admin`, through the InfluxDB 3 token API. */
export function AdminTokensPage({ session }: { session: SessionInfo }) {
  const [search, setSearch] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'createdAt', direction: 'ascending' });
  const [open, setOpen] = useState<Open>();
  const tokens = useLoad(
    () =>
      api
        .get<V3Token[]>('/api/v3/configure/token', { include_revoked: showInactive ? 'true' : undefined })
        .then((all) => all.filter((t) => t.kind === 'admin' || t.kind === 'operator')),
    [showInactive],
  );
  const columns: Column<V3Token>[] = [
    { key: 'status', header: 'Status', render: (t) => <StatusBadge status={t.status} />, sortValue: (t) => t.status },
    {
      key: 'name',
      header: 'Name',
      className: 'col-wrap',
      render: (t) =>
        t.name === OPERATOR ? (
          <>
            {t.name} <span className="badge badge-protected">Operator · protected</span>
          </>
        ) : (
          t.name
        ),
      sortValue: (t) => t.name,
    },
    {
      key: 'description',
      header: 'Description',
      className: 'col-wrap',
      render: (t) => t.description ?? '',
      sortValue: (t) => t.description ?? '',
    },
    { key: 'id', header: 'Token ID', render: (t) => <code>{t.id}</code>, sortValue: (t) => t.id },
    {
      key: 'createdAt',
      header: 'Created At',
      render: (t) => <Instant iso={t.created_at} />,
      sortValue: (t) => time(t.created_at),
    },
    {
      key: 'expiresAt',
      header: 'Expires At',
      render: (t) => <Instant iso={t.expiry} />,
      sortValue: (t) => time(t.expiry),
    },
    {
      key: 'lastUsedAt',
      header: 'Last Used',
      render: (t) => <Instant iso={t.last_used_at} none="Never" />,
      sortValue: (t) => time(t.last_used_at),
    },
    {
      key: 'menu',
      header: 'Actions',
      className: 'col-menu',
      render: (t) =>
        t.status === 'revoked' ? null : (
          <RowMenu
            label={`Actions for ${t.name}`}
            items={
              t.name === OPERATOR
                ? [{ label: 'Regenerate Token', danger: true, onSelect: () => setOpen({ kind: 'regenerate' }) }]
                : [{ label: 'Revoke Token', danger: true, onSelect: () => setOpen({ kind: 'revoke', token: t }) }]
            }
          />
        ),
    },
  ];
  const rows = sortRows(
    (tokens.data ?? []).filter(
      (t) => (showInactive || t.status === 'active') && matches(search, t.name, t.description, t.id),
    ),
    columns,
    sort,
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Admin Tokens"
        subtitle="Admin tokens can do everything except touch the operator token _admin, which can only be regenerated."
      />
      <Toolbar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Name, description or token ID"
        showInactive={showInactive}
        onShowInactive={setShowInactive}
        addLabel="Add Admin Token"
        onAdd={() => setOpen({ kind: 'create' })}
      />
      <ErrorNotice error={tokens.error} />
      <DataTable
        caption="Admin tokens"
        columns={columns}
        rows={rows}
        rowKey={(t) => String(t.id)}
        sort={sort}
        onSort={setSort}
        empty="No admin tokens to show."
      />
      {open?.kind === 'create' ? (
        <CreateAdminTokenDialog onClose={() => setOpen(undefined)} onCreated={tokens.reload} />
      ) : null}
      {open?.kind === 'regenerate' ? (
        <RegenerateDialog
          signedInWithIt={session.principal.kind === 'operator'}
          onClose={() => setOpen(undefined)}
          onDone={tokens.reload}
        />
      ) : null}
      {open?.kind === 'revoke' ? (
        <RevokeDialog
          kindLabel="Admin Token"
          description={open.token.description ?? open.token.name}
          expiresAt={open.token.expiry}
          details={[`Name: ${open.token.name}`, 'Full administrative access, everywhere it is used']}
          onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            await api.delete('/api/v3/configure/token', { token_id: open.token.id });
            tokens.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function CreateAdminTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [expiryFields, setExpiryFields] = useState<ExpiryFields>({ enabled: false, date: '', time: '' });
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<V3IssuedToken>();
  const expiry = expiryFrom(expiryFields, Date.now());
  const nameProblem = name.trim() === '' ? 'Enter a token name' : undefined;
  const valid = nameProblem === undefined && expiry.ok;
  if (created !== undefined) {
    return (
      <Dialog
        title="Admin Token Created"
        onClose={onClose}
        actions={
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          Token Name: <strong>{created.name}</strong>
        </p>
        <SecretReveal secret={created.token} />
      </Dialog>
    );
  }
  const submit = async () => {
    setAttempted(true);
    if (!valid || !expiry.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, unknown> = { token_name: name.trim() };
      if (description.trim() !== '') body.description = description.trim();
      if (expiry.expiresAt !== null) body.expires_at = expiry.expiresAt;
      setCreated(await api.post<V3IssuedToken>('/api/v3/configure/token/named_admin', body));
      onCreated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Create Admin Token"
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!valid || busy}>
            Create Token
          </button>
        </>
      }
    >
      <Field
        label="Token Name"
        value={name}
        onChange={setName}
        required
        error={(attempted || name !== '' ? nameProblem : undefined) ?? fieldError(error, 'token_name', 'name')}
      />
      <Field
        label="Token Description"
        value={description}
        onChange={setDescription}
        maxLength={1000}
        error={fieldError(error, 'description')}
      />
      <ExpiryEditor
        kind="admin token"
        value={expiryFields}
        onChange={setExpiryFields}
        errors={{
          date:
            (!expiry.ok && expiry.field === 'date' && (attempted || expiryFields.date !== '')
              ? expiry.message
              : undefined) ?? fieldError(error, 'expires_at', 'expiry_secs'),
          time: !expiry.ok && expiry.field === 'time' ? expiry.message : undefined,
        }}
      />
      <ErrorNotice error={formError(error, 'token_name', 'name', 'description', 'expires_at', 'expiry_secs')} />
    </Dialog>
  );
}

/** Regenerating `_admin` replaces its secret (same id); behind the same risk confirmation as a revoke. */
function RegenerateDialog({
  signedInWithIt,
  onClose,
  onDone,
}: {
  signedInWithIt: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<V3IssuedToken>();
  if (issued !== undefined) {
    return (
      <Dialog
        title="Operator Token Regenerated"
        onClose={onClose}
        actions={
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        {signedInWithIt ? (
          <p className="notice notice-info">This session used the old secret: sign in again with the new one.</p>
        ) : null}
        <SecretReveal secret={issued.token} />
      </Dialog>
    );
  }
  const submit = async () => {
    if (!understood) return;
    setBusy(true);
    setError(undefined);
    try {
      setIssued(await api.post<V3IssuedToken>('/api/v3/configure/token/admin/regenerate'));
      if (!signedInWithIt) onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Regenerate Operator Token"
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger" disabled={!understood || busy}>
            Regenerate Token
          </button>
        </>
      }
    >
      <div className="notice notice-warning" role="alert">
        <strong>You are about to replace the operator token&apos;s secret.</strong>
      </div>
      <p>
        The operator token <code>{OPERATOR}</code> keeps its id and its rights, but its current secret stops working at
        once: everything that uses it, this session included if it signed in with it, must be given the new secret.
      </p>
      <RiskConfirm checked={understood} onChange={setUnderstood} />
      <ErrorNotice error={formError(error)} />
    </Dialog>
  );
}
