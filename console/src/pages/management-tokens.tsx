import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import type { ManagementToken, Role, SessionInfo, WithAccessToken } from '../api/types.ts';
import { type Column, DataTable, type SortState, sortRows } from '../components/data-table.tsx';
import { Dialog } from '../components/dialog.tsx';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { RowMenu } from '../components/row-menu.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { PageHeader, StatusBadge, Toolbar } from '../components/toolbar.tsx';
import { type ExpiryFields, expiryFrom, fieldsFromInstant } from '../lib/expiry.ts';
import { fieldError, formError } from '../lib/field-errors.ts';
import { matches } from '../lib/search.ts';
import { useLoad } from '../lib/use-load.ts';
import { RevokeDialog, RotateDialog } from './database-token-dialogs.tsx';

const ROLES: Array<{ value: Role; label: string }> = [
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'auditor', label: 'Auditor' },
];

type Open = { kind: 'create' } | { kind: 'edit' | 'rotate' | 'revoke'; token: ManagementToken } | undefined;
const time = (iso: string | undefined) => (iso === undefined ? 0 : Date.parse(iso));

export function ManagementTokensPage(_: { session: SessionInfo }) {
  const [search, setSearch] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'createdAt', direction: 'descending' });
  const [open, setOpen] = useState<Open>();
  const tokens = useLoad(
    () => listAll<ManagementToken>('/api/v0/management-tokens', { includeRevoked: showInactive ? true : undefined }),
    [showInactive],
  );
  const columns: Column<ManagementToken>[] = [
    { key: 'status', header: 'Status', render: (t) => <StatusBadge status={t.status} />, sortValue: (t) => t.status },
    {
      key: 'description',
      header: 'Description',
      className: 'col-wrap',
      render: (t) => t.description,
      sortValue: (t) => t.description,
    },
    { key: 'id', header: 'Token ID', render: (t) => <code>{t.id}</code>, sortValue: (t) => Number(t.id) },
    { key: 'role', header: 'Role', render: (t) => roleLabel(t.role), sortValue: (t) => t.role },
    {
      key: 'createdAt',
      header: 'Created At',
      render: (t) => <Instant iso={t.createdAt} />,
      sortValue: (t) => time(t.createdAt),
    },
    {
      key: 'expiresAt',
      header: 'Expires At',
      render: (t) => <Instant iso={t.expiresAt} />,
      sortValue: (t) => (t.expiresAt === undefined ? Number.MAX_SAFE_INTEGER : time(t.expiresAt)),
    },
    {
      key: 'lastUsedAt',
      header: 'Last Used',
      render: (t) => <Instant iso={t.lastUsedAt} none="Never" />,
      sortValue: (t) => time(t.lastUsedAt),
    },
    {
      key: 'menu',
      header: 'Actions',
      className: 'col-menu',
      render: (t) =>
        t.status === 'revoked' ? null : (
          <RowMenu
            label={`Actions for ${t.description}`}
            items={[
              { label: 'Edit Token', onSelect: () => setOpen({ kind: 'edit', token: t }) },
              ...(t.status === 'active'
                ? [{ label: 'Rotate Token', onSelect: () => setOpen({ kind: 'rotate', token: t }) }]
                : []),
              { label: 'Revoke Token', danger: true, onSelect: () => setOpen({ kind: 'revoke', token: t }) },
            ]}
          />
        ),
    },
  ];
  const rows = sortRows(
    (tokens.data ?? []).filter(
      (t) => (showInactive || t.status === 'active') && matches(search, t.description, t.id, t.name),
    ),
    columns,
    sort,
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Management Tokens"
        subtitle="Management tokens administer databases and tokens within their role. They can never read or write data."
      />
      <Toolbar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Description or token ID"
        showInactive={showInactive}
        onShowInactive={setShowInactive}
        addLabel="Add Management Token"
        onAdd={() => setOpen({ kind: 'create' })}
      />
      <ErrorNotice error={tokens.error} />
      <DataTable
        caption="Management tokens"
        columns={columns}
        rows={rows}
        rowKey={(t) => t.id}
        sort={sort}
        onSort={setSort}
        empty={search === '' ? 'No management tokens yet.' : 'No token matches the search.'}
      />
      {open?.kind === 'create' || open?.kind === 'edit' ? (
        <ManagementTokenDialog
          token={open.kind === 'edit' ? open.token : undefined}
          onClose={() => setOpen(undefined)}
          onDone={tokens.reload}
        />
      ) : null}
      {open?.kind === 'rotate' ? (
        <RotateDialog
          kindLabel="Management Token"
          description={open.token.description}
          path={`/api/v0/management-tokens/${encodeURIComponent(open.token.id)}/rotate`}
          onClose={() => setOpen(undefined)}
          onRotated={tokens.reload}
        />
      ) : null}
      {open?.kind === 'revoke' ? (
        <RevokeDialog
          kindLabel="Management Token"
          description={open.token.description}
          expiresAt={open.token.expiresAt}
          details={[`Role: ${roleLabel(open.token.role)}`, 'Every CLI profile and automation that uses it']}
          onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            await api.delete(`/api/v0/management-tokens/${encodeURIComponent(open.token.id)}`);
            tokens.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}

/** Seed 001's dialog (expiration date, expiration time, description) plus the role. */
function ManagementTokenDialog({
  token,
  onClose,
  onDone,
}: {
  token: ManagementToken | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const [description, setDescription] = useState(token?.description ?? '');
  const [role, setRole] = useState<string>(token?.role ?? 'admin');
  const [expiryFields, setExpiryFields] = useState<ExpiryFields>(fieldsFromInstant(token?.expiresAt));
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<(ManagementToken & WithAccessToken) | undefined>();
  const expiry = expiryFrom(expiryFields, Date.now());
  const descriptionProblem = description.trim() === '' ? 'Enter a description' : undefined;
  const valid = descriptionProblem === undefined && expiry.ok;

  if (created !== undefined) {
    return (
      <Dialog
        title="Management Token Created"
        onClose={onClose}
        actions={
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          Token Description: <strong>{created.description}</strong> · Role: {roleLabel(created.role)}
        </p>
        <SecretReveal secret={created.accessToken} />
      </Dialog>
    );
  }
  const submit = async () => {
    setAttempted(true);
    if (!valid || !expiry.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      if (token === undefined) {
        const body: Record<string, unknown> = { description: description.trim(), role };
        if (expiry.expiresAt !== null) body.expiresAt = expiry.expiresAt;
        setCreated(await api.post<ManagementToken & WithAccessToken>('/api/v0/management-tokens', body));
        onDone();
      } else {
        await api.patch(`/api/v0/management-tokens/${encodeURIComponent(token.id)}`, {
          description: description.trim(),
          role,
          expiresAt: expiry.expiresAt,
        });
        onDone();
        onClose();
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={token === undefined ? 'Create Management Token' : 'Edit Management Token'}
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!valid || busy}>
            {token === undefined ? 'Create Token' : 'Save Changes'}
          </button>
        </>
      }
    >
      <Field
        label="Token Description"
        value={description}
        onChange={setDescription}
        required
        maxLength={1000}
        error={(attempted || description !== '' ? descriptionProblem : undefined) ?? fieldError(error, 'description')}
      />
      <SelectField label="Role" value={role} onChange={setRole} options={ROLES} error={fieldError(error, 'role')} />
      <ExpiryEditor
        kind="management token"
        value={expiryFields}
        onChange={setExpiryFields}
        errors={{
          date:
            (!expiry.ok && expiry.field === 'date' && (attempted || expiryFields.date !== '')
              ? expiry.message
              : undefined) ?? fieldError(error, 'expiresAt', 'expiresIn'),
          time: !expiry.ok && expiry.field === 'time' ? expiry.message : undefined,
        }}
      />
      <ErrorNotice error={formError(error, 'description', 'role', 'expiresAt', 'expiresIn')} />
    </Dialog>
  );
}
