import { useState } from 'react';
import { api } from '../api/client.ts';
import type { SessionInfo, V3IssuedToken, V3Token } from '../api/types.ts';
import { idColumn, instantColumn, menuColumn, statusColumn, textColumn } from '../components/columns.tsx';
import type { Column } from '../components/data-table.tsx';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field } from '../components/field.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { ListPage } from '../components/list-page.tsx';
import { RiskDialog } from '../components/risk-dialog.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { type ExpiryFields, expiryFrom } from '../lib/expiry.ts';
import { fieldError, formError, shownProblem } from '../lib/field-errors.ts';
import { useListState } from '../lib/use-list-state.ts';
import { useLoad } from '../lib/use-load.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { RevokeDialog } from './token-lifecycle-dialogs.tsx';

const OPERATOR = '_admin';
type Open = { kind: 'create' } | { kind: 'regenerate' } | { kind: 'revoke'; token: V3Token };

/** Named admin tokens and the operator token `_admin`, through the InfluxDB 3 token API. */
export function AdminTokensPage({ session }: { session: SessionInfo }) {
  const list = useListState<Open>({ key: 'createdAt', direction: 'ascending' });
  const tokens = useLoad(
    () =>
      api
        .get<V3Token[]>('/api/v3/configure/token', { include_revoked: list.showInactive ? 'true' : undefined })
        .then((all) => all.filter((t) => t.kind === 'admin' || t.kind === 'operator')),
    [list.showInactive],
  );
  const columns: Column<V3Token>[] = [
    statusColumn(),
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
    textColumn('description', 'Description', (t) => t.description ?? ''),
    idColumn('Token ID', (t) => t.id),
    instantColumn('createdAt', 'Created At', (t) => t.created_at),
    instantColumn('expiresAt', 'Expires At', (t) => t.expiry),
    instantColumn('lastUsedAt', 'Last Used', (t) => t.last_used_at, { none: 'Never' }),
    menuColumn(
      (t) => `Actions for ${t.name}`,
      (t) =>
        t.status === 'revoked'
          ? undefined
          : t.name === OPERATOR
            ? [{ label: 'Regenerate Token', danger: true, onSelect: () => list.setOpen({ kind: 'regenerate' }) }]
            : [{ label: 'Revoke Token', danger: true, onSelect: () => list.setOpen({ kind: 'revoke', token: t }) }],
    ),
  ];
  const { open, close } = list;
  return (
    <ListPage
      title="Admin Tokens"
      subtitle="Admin tokens can do everything except touch the operator token _admin, which can only be regenerated."
      list={list}
      loaded={tokens}
      searchPlaceholder="Name, description or token ID"
      searchIn={(t) => [t.name, t.description, t.id]}
      inactiveLabel="Show Inactive Tokens"
      inactive={(t) => t.status !== 'active'}
      addLabel="Add Admin Token"
      onAdd={() => list.setOpen({ kind: 'create' })}
      caption="Admin tokens"
      columns={columns}
      rowKey={(t) => String(t.id)}
      empty="No admin tokens to show."
    >
      {open?.kind === 'create' ? <CreateAdminTokenDialog onClose={close} onCreated={tokens.reload} /> : null}
      {open?.kind === 'regenerate' ? (
        <RegenerateDialog
          signedInWithIt={session.principal.kind === 'operator'}
          onClose={close}
          onDone={tokens.reload}
        />
      ) : null}
      {open?.kind === 'revoke' ? (
        <RevokeDialog
          kindLabel="Admin Token"
          description={open.token.description ?? open.token.name}
          expiresAt={open.token.expiry}
          details={[`Name: ${open.token.name}`, 'Full administrative access, everywhere it is used']}
          onClose={close}
          onConfirm={async () => {
            await api.delete('/api/v3/configure/token', { token_id: open.token.id });
            tokens.reload();
          }}
        />
      ) : null}
    </ListPage>
  );
}

function CreateAdminTokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [expiryFields, setExpiryFields] = useState<ExpiryFields>({ enabled: false, date: '', time: '' });
  const submit = useSubmit();
  const [created, setCreated] = useState<V3IssuedToken>();
  const expiry = expiryFrom(expiryFields, Date.now());
  const nameProblem = name.trim() === '' ? 'Enter a token name' : undefined;
  const valid = nameProblem === undefined && expiry.ok;
  const expiresAt = expiry.ok ? expiry.expiresAt : null;
  if (created !== undefined) {
    return (
      <SecretDialog title="Admin Token Created" secret={created.token} onClose={onClose}>
        <p>
          Token Name: <strong>{created.name}</strong>
        </p>
      </SecretDialog>
    );
  }
  const create = () =>
    submit.run(valid, async () => {
      const body: Record<string, unknown> = { token_name: name.trim() };
      if (description.trim() !== '') body.description = description.trim();
      if (expiresAt !== null) body.expires_at = expiresAt;
      setCreated(await api.post<V3IssuedToken>('/api/v3/configure/token/named_admin', body));
      onCreated();
    });
  return (
    <FormDialog
      title="Create Admin Token"
      onClose={onClose}
      onSubmit={create}
      wide
      submitLabel="Create Token"
      canSubmit={valid && !submit.busy}
      error={formError(submit.error, 'token_name', 'name', 'description', 'expires_at', 'expiry_secs')}
    >
      <Field
        label="Token Name"
        value={name}
        onChange={setName}
        required
        error={
          shownProblem(nameProblem, submit.attempted || name !== '') ?? fieldError(submit.error, 'token_name', 'name')
        }
      />
      <Field
        label="Token Description"
        value={description}
        onChange={setDescription}
        maxLength={1000}
        error={fieldError(submit.error, 'description')}
      />
      <ExpiryEditor
        kind="admin token"
        value={expiryFields}
        onChange={setExpiryFields}
        result={expiry}
        attempted={submit.attempted}
        serverError={fieldError(submit.error, 'expires_at', 'expiry_secs')}
      />
    </FormDialog>
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
  const submit = useSubmit();
  const [issued, setIssued] = useState<V3IssuedToken>();
  if (issued !== undefined) {
    return (
      <SecretDialog title="Operator Token Regenerated" secret={issued.token} onClose={onClose}>
        {signedInWithIt ? (
          <p className="notice notice-info">This session used the old secret: sign in again with the new one.</p>
        ) : null}
      </SecretDialog>
    );
  }
  return (
    <RiskDialog
      title="Regenerate Operator Token"
      onClose={onClose}
      onConfirm={() =>
        submit.run(true, async () => {
          setIssued(await api.post<V3IssuedToken>('/api/v3/configure/token/admin/regenerate'));
          if (!signedInWithIt) onDone();
        })
      }
      submitLabel="Regenerate Token"
      busy={submit.busy}
      warning="You are about to replace the operator token's secret."
      error={submit.error}
    >
      <p>
        The operator token <code>{OPERATOR}</code> keeps its id and its rights, but its current secret stops working at
        once: everything that uses it, this session included if it signed in with it, must be given the new secret.
      </p>
    </RiskDialog>
  );
}
