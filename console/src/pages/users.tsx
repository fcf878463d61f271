import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import { type Column, DataTable, type SortState, sortRows } from '../components/data-table.tsx';
import { Dialog } from '../components/dialog.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { RiskConfirm } from '../components/risk-confirm.tsx';
import { RowMenu } from '../components/row-menu.tsx';
import { PageHeader, StatusBadge, Toolbar } from '../components/toolbar.tsx';
import { fieldError, formError } from '../lib/field-errors.ts';
import { matches } from '../lib/search.ts';
import { useLoad } from '../lib/use-load.ts';

/** `GET /api/v0/users` items (docs/sign-in.md). */
export interface User {
  id: string;
  subject: string;
  email?: string;
  displayName?: string;
  group: string;
  /** `startup` (--oidc-admin-subjects), `claim` (first sign-in) or `manual`. */
  source?: string;
  status: 'active' | 'disabled' | string;
  lastSeenAt?: string;
  createdAt?: string;
}

const GROUPS = [
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'auditor', label: 'Auditor' },
];

type Open = { kind: 'add' } | { kind: 'edit' | 'remove'; user: User } | undefined;

export function UsersPage() {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortState>({ key: 'subject', direction: 'ascending' });
  const [open, setOpen] = useState<Open>();
  const users = useLoad(() => listAll<User>('/api/v0/users'), []);
  const columns: Column<User>[] = [
    {
      key: 'status',
      header: 'Status',
      render: (u) => <StatusBadge status={u.status} />,
    },
    {
      key: 'subject',
      header: 'Subject',
      className: 'col-wrap',
      render: (u) => <code>{u.subject}</code>,
      sortValue: (u) => u.subject,
    },
    {
      key: 'name',
      header: 'Name',
      className: 'col-wrap',
      render: (u) => u.displayName ?? '',
      sortValue: (u) => u.displayName ?? '',
    },
    {
      key: 'email',
      header: 'Email',
      className: 'col-wrap',
      render: (u) => u.email ?? '',
      sortValue: (u) => u.email ?? '',
    },
    { key: 'group', header: 'Group', render: (u) => groupLabel(u.group), sortValue: (u) => u.group },
    {
      key: 'lastSeen',
      header: 'Last Seen',
      render: (u) => <Instant iso={u.lastSeenAt} none="Never" />,
      sortValue: (u) => (u.lastSeenAt === undefined ? 0 : Date.parse(u.lastSeenAt)),
    },
    {
      key: 'menu',
      header: 'Actions',
      className: 'col-menu',
      render: (u) => (
        <RowMenu
          label={`Actions for ${u.subject}`}
          items={[
            { label: 'Edit User', onSelect: () => setOpen({ kind: 'edit', user: u }) },
            { label: 'Remove User', danger: true, onSelect: () => setOpen({ kind: 'remove', user: u }) },
          ]}
        />
      ),
    },
  ];
  const rows = sortRows(
    (users.data ?? []).filter((u) => matches(search, u.subject, u.email, u.displayName)),
    columns,
    sort,
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Users"
        subtitle="People who sign in through the identity provider, each in one group: Admin, Member or Auditor."
      />
      <Toolbar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Subject, name or email"
        addLabel="Add User"
        onAdd={() => setOpen({ kind: 'add' })}
      />
      <ErrorNotice error={users.error} />
      <DataTable
        caption="Users"
        columns={columns}
        rows={rows}
        rowKey={(u) => u.id}
        sort={sort}
        onSort={setSort}
        empty="No users."
      />
      {open?.kind === 'add' || open?.kind === 'edit' ? (
        <UserDialog
          user={open.kind === 'edit' ? open.user : undefined}
          onClose={() => setOpen(undefined)}
          onDone={users.reload}
        />
      ) : null}
      {open?.kind === 'remove' ? (
        <RemoveUserDialog user={open.user} onClose={() => setOpen(undefined)} onDone={users.reload} />
      ) : null}
    </section>
  );
}

function groupLabel(group: string): string {
  return GROUPS.find((g) => g.value === group)?.label ?? group;
}

function UserDialog({ user, onClose, onDone }: { user: User | undefined; onClose: () => void; onDone: () => void }) {
  const [subject, setSubject] = useState(user?.subject ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [group, setGroup] = useState(user?.group ?? 'member');
  const [disabled, setDisabled] = useState(user?.status === 'disabled');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const valid = subject.trim() !== '';
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    setError(undefined);
    try {
      if (user === undefined) {
        const body: Record<string, unknown> = { subject: subject.trim(), group };
        if (email.trim() !== '') body.email = email.trim();
        if (displayName.trim() !== '') body.displayName = displayName.trim();
        await api.post('/api/v0/users', body);
      } else {
        // Only what changed: a user declared at startup refuses a group change, even to the same group.
        const changes: Record<string, unknown> = {};
        if (group !== user.group) changes.group = group;
        if (disabled !== (user.status === 'disabled')) changes.disabled = disabled;
        if (email.trim() !== (user.email ?? '') && email.trim() !== '') changes.email = email.trim();
        if (displayName.trim() !== (user.displayName ?? '') && displayName.trim() !== '')
          changes.displayName = displayName.trim();
        if (Object.keys(changes).length > 0)
          await api.patch(`/api/v0/users/${encodeURIComponent(user.subject)}`, changes);
      }
      onDone();
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={user === undefined ? 'Add User' : 'Edit User'}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!valid || busy}>
            {user === undefined ? 'Add User' : 'Save Changes'}
          </button>
        </>
      }
    >
      {user === undefined ? (
        <Field
          label="Subject"
          value={subject}
          onChange={setSubject}
          required
          hint="The identity provider's subject (sub) of this person"
          error={fieldError(error, 'subject')}
        />
      ) : (
        <p>
          Subject <code>{user.subject}</code>
        </p>
      )}
      <Field label="Email" type="email" value={email} onChange={setEmail} error={fieldError(error, 'email')} />
      <Field
        label="Display Name"
        value={displayName}
        onChange={setDisplayName}
        error={fieldError(error, 'displayName')}
      />
      <SelectField
        label="Group"
        value={group}
        onChange={setGroup}
        options={GROUPS}
        error={fieldError(error, 'group')}
      />
      {user === undefined ? null : (
        <div className="checkbox">
          <input
            id="user-disabled"
            type="checkbox"
            checked={disabled}
            onChange={(event) => setDisabled(event.target.checked)}
          />
          <label htmlFor="user-disabled">Disabled</label>
        </div>
      )}
      <ErrorNotice error={formError(error, 'subject', 'email', 'displayName', 'group')} />
    </Dialog>
  );
}

function RemoveUserDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<Error>();
  return (
    <Dialog
      title="Remove User"
      onClose={onClose}
      onSubmit={async () => {
        if (!understood) return;
        try {
          await api.delete(`/api/v0/users/${encodeURIComponent(user.subject)}`);
          onDone();
          onClose();
        } catch (caught) {
          setError(caught as Error);
        }
      }}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger" disabled={!understood}>
            Remove User
          </button>
        </>
      }
    >
      <p>
        <code>{user.subject}</code> loses access at once: their live sessions stop working on their next request.
      </p>
      <RiskConfirm checked={understood} onChange={setUnderstood} />
      <ErrorNotice error={error} />
    </Dialog>
  );
}
