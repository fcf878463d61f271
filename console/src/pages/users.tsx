import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import { instantColumn, menuColumn, statusColumn, textColumn } from '../components/columns.tsx';
import type { Column } from '../components/data-table.tsx';
import { Checkbox, Field, SelectField } from '../components/field.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { ListPage } from '../components/list-page.tsx';
import { RiskDialog } from '../components/risk-dialog.tsx';
import { fieldError, formError } from '../lib/field-errors.ts';
import { useListState } from '../lib/use-list-state.ts';
import { useLoad } from '../lib/use-load.ts';
import { useSubmit } from '../lib/use-submit.ts';

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

type Open = { kind: 'add' } | { kind: 'edit' | 'remove'; user: User };

export function UsersPage() {
  const list = useListState<Open>({ key: 'subject', direction: 'ascending' });
  const users = useLoad(() => listAll<User>('/api/v0/users'), []);
  const columns: Column<User>[] = [
    statusColumn({ sortable: false }),
    {
      key: 'subject',
      header: 'Subject',
      className: 'col-wrap',
      render: (u) => <code>{u.subject}</code>,
      sortValue: (u) => u.subject,
    },
    textColumn('name', 'Name', (u) => u.displayName ?? ''),
    textColumn('email', 'Email', (u) => u.email ?? ''),
    { key: 'group', header: 'Group', render: (u) => groupLabel(u.group), sortValue: (u) => u.group },
    instantColumn('lastSeen', 'Last Seen', (u) => u.lastSeenAt, { none: 'Never' }),
    menuColumn(
      (u) => `Actions for ${u.subject}`,
      (u) => [
        { label: 'Edit User', onSelect: () => list.setOpen({ kind: 'edit', user: u }) },
        { label: 'Remove User', danger: true, onSelect: () => list.setOpen({ kind: 'remove', user: u }) },
      ],
    ),
  ];
  const { open, close } = list;
  return (
    <ListPage
      title="Users"
      subtitle="People who sign in through the identity provider, each in one group: Admin, Member or Auditor."
      list={list}
      loaded={users}
      searchPlaceholder="Subject, name or email"
      searchIn={(u) => [u.subject, u.email, u.displayName]}
      addLabel="Add User"
      onAdd={() => list.setOpen({ kind: 'add' })}
      caption="Users"
      columns={columns}
      rowKey={(u) => u.id}
      empty="No users."
    >
      {open?.kind === 'add' || open?.kind === 'edit' ? (
        <UserDialog user={open.kind === 'edit' ? open.user : undefined} onClose={close} onDone={users.reload} />
      ) : null}
      {open?.kind === 'remove' ? <RemoveUserDialog user={open.user} onClose={close} onDone={users.reload} /> : null}
    </ListPage>
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
  const submit = useSubmit();
  const { error } = submit;
  const valid = subject.trim() !== '';
  const save = () =>
    submit.run(valid, async () => {
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
    });
  return (
    <FormDialog
      title={user === undefined ? 'Add User' : 'Edit User'}
      onClose={onClose}
      onSubmit={save}
      submitLabel={user === undefined ? 'Add User' : 'Save Changes'}
      canSubmit={valid && !submit.busy}
      error={formError(error, 'subject', 'email', 'displayName', 'group')}
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
      {user === undefined ? null : <Checkbox label="Disabled" checked={disabled} onChange={setDisabled} />}
    </FormDialog>
  );
}

function RemoveUserDialog({ user, onClose, onDone }: { user: User; onClose: () => void; onDone: () => void }) {
  const submit = useSubmit();
  return (
    <RiskDialog
      title="Remove User"
      onClose={onClose}
      onConfirm={() =>
        submit.run(true, async () => {
          await api.delete(`/api/v0/users/${encodeURIComponent(user.subject)}`);
          onDone();
          onClose();
        })
      }
      submitLabel="Remove User"
      busy={submit.busy}
      error={submit.error}
    >
      <p>
        <code>{user.subject}</code> loses access at once: their live sessions stop working on their next request.
      </p>
    </RiskDialog>
  );
}
