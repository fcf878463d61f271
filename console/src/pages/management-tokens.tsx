import { useState } from 'react';
import { api } from '../api/client.ts';
import type { ManagementToken, Role, SessionInfo, WithAccessToken } from '../api/types.ts';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { type ExpiryFields, expiryFrom, fieldsFromInstant } from '../lib/expiry.ts';
import { fieldError, formError, shownProblem } from '../lib/field-errors.ts';
import { useSubmit } from '../lib/use-submit.ts';
import { V0TokensPage } from './v0-tokens-page.tsx';

const ROLES: Array<{ value: Role; label: string }> = [
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'auditor', label: 'Auditor' },
];

export function ManagementTokensPage(_: { session: SessionInfo }) {
  return (
    <V0TokensPage<ManagementToken>
      title="Management Tokens"
      subtitle="Management tokens administer databases and tokens within their role. They can never read or write data."
      kindLabel="Management Token"
      path="/api/v0/management-tokens"
      caption="Management tokens"
      empty="No management tokens yet."
      own={{ key: 'role', header: 'Role', render: (t) => roleLabel(t.role), sortValue: (t) => t.role }}
      details={(token) => [`Role: ${roleLabel(token.role)}`, 'Every CLI profile and automation that uses it']}
      dialogs={(open, close, reload) =>
        open?.kind === 'create' || open?.kind === 'edit' ? (
          <ManagementTokenDialog
            token={open.kind === 'edit' ? open.token : undefined}
            onClose={close}
            onDone={reload}
          />
        ) : null
      }
    />
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
  const submit = useSubmit();
  const [created, setCreated] = useState<(ManagementToken & WithAccessToken) | undefined>();
  const expiry = expiryFrom(expiryFields, Date.now());
  const descriptionProblem = description.trim() === '' ? 'Enter a description' : undefined;
  const valid = descriptionProblem === undefined && expiry.ok;
  const expiresAt = expiry.ok ? expiry.expiresAt : null;

  if (created !== undefined) {
    return (
      <SecretDialog title="Management Token Created" secret={created.accessToken} onClose={onClose}>
        <p>
          Token Description: <strong>{created.description}</strong> · Role: {roleLabel(created.role)}
        </p>
      </SecretDialog>
    );
  }
  const save = () =>
    submit.run(valid, async () => {
      if (token === undefined) {
        const body: Record<string, unknown> = { description: description.trim(), role };
        if (expiresAt !== null) body.expiresAt = expiresAt;
        setCreated(await api.post<ManagementToken & WithAccessToken>('/api/v0/management-tokens', body));
        onDone();
      } else {
        await api.patch(`/api/v0/management-tokens/${encodeURIComponent(token.id)}`, {
          description: description.trim(),
          role,
          expiresAt,
        });
        onDone();
        onClose();
      }
    });
  return (
    <FormDialog
      title={token === undefined ? 'Create Management Token' : 'Edit Management Token'}
      onClose={onClose}
      onSubmit={save}
      wide
      submitLabel={token === undefined ? 'Create Token' : 'Save Changes'}
      canSubmit={valid && !submit.busy}
      error={formError(submit.error, 'description', 'role', 'expiresAt', 'expiresIn')}
    >
      <Field
        label="Token Description"
        value={description}
        onChange={setDescription}
        required
        maxLength={1000}
        error={
          shownProblem(descriptionProblem, submit.attempted || description !== '') ??
          fieldError(submit.error, 'description')
        }
      />
      <SelectField
        label="Role"
        value={role}
        onChange={setRole}
        options={ROLES}
        error={fieldError(submit.error, 'role')}
      />
      <ExpiryEditor
        kind="management token"
        value={expiryFields}
        onChange={setExpiryFields}
        result={expiry}
        attempted={submit.attempted}
        serverError={fieldError(submit.error, 'expiresAt', 'expiresIn')}
      />
    </FormDialog>
  );
}
