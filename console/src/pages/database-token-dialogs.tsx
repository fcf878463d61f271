import { type ReactNode, useState } from 'react';
import { api } from '../api/client.ts';
import type { DatabaseToken, WithAccessToken } from '../api/types.ts';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field } from '../components/field.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { PermissionEditor } from '../components/permission-editor.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { type ExpiryFields, expiryFrom, fieldsFromInstant } from '../lib/expiry.ts';
import { fieldError, formError, shownProblem } from '../lib/field-errors.ts';
import {
  checkRows,
  databasesOf,
  newRow,
  type PermissionRow,
  permissionsFromRows,
  rowsFromPermissions,
} from '../lib/permissions.ts';
import { useSubmit } from '../lib/use-submit.ts';

interface FormState {
  description: string;
  expiry: ExpiryFields;
  rows: PermissionRow[];
}

function useTokenForm(initial: FormState) {
  const [form, setForm] = useState(initial);
  const submit = useSubmit();
  const expiry = expiryFrom(form.expiry, Date.now());
  const problems = checkRows(form.rows);
  const descriptionProblem = form.description.trim() === '' ? 'Enter a description' : undefined;
  const valid = descriptionProblem === undefined && expiry.ok && problems.size === 0;
  return {
    form,
    setForm,
    submit,
    expiry,
    /** The expiry to send; only read once the form is valid. */
    expiresAt: expiry.ok ? expiry.expiresAt : null,
    problems,
    descriptionProblem,
    valid,
  };
}

type TokenForm = ReturnType<typeof useTokenForm>;

function TokenFields({ state, databases }: { state: TokenForm; databases: string[] }) {
  const { form, setForm, submit, expiry, problems, descriptionProblem } = state;
  const { attempted, error } = submit;
  return (
    <>
      <Field
        label="Token Description"
        value={form.description}
        onChange={(description) => setForm({ ...form, description })}
        required
        maxLength={1000}
        error={
          shownProblem(descriptionProblem, attempted || form.description !== '') ?? fieldError(error, 'description')
        }
      />
      <ExpiryEditor
        kind="database token"
        value={form.expiry}
        onChange={(value) => setForm({ ...form, expiry: value })}
        result={expiry}
        attempted={attempted}
        serverError={fieldError(error, 'expiresAt', 'expiresIn')}
      />
      <PermissionEditor
        rows={form.rows}
        onChange={(rows) => setForm({ ...form, rows })}
        databases={databases}
        problems={problems}
        showProblems={attempted || form.rows.some((row) => row.database !== '')}
        serverError={fieldError(error, 'permissions', 'addPermissions', 'removeDatabases')}
      />
    </>
  );
}

/** The create and edit dialogs' frame: the form's fields, its error, Cancel and the submit button. */
function TokenFormDialog({
  title,
  submitLabel,
  state,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  submitLabel: string;
  state: TokenForm;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <FormDialog
      title={title}
      onClose={onClose}
      onSubmit={onSubmit}
      wide
      submitLabel={submitLabel}
      canSubmit={state.valid && !state.submit.busy}
      error={formError(state.submit.error, 'description', 'expiresAt', 'expiresIn', 'permissions')}
    >
      {children}
    </FormDialog>
  );
}

export function CreateDatabaseTokenDialog({
  databases,
  onClose,
  onCreated,
}: {
  databases: string[];
  onClose: () => void;
  onCreated: () => void;
}) {
  const state = useTokenForm({ description: '', expiry: { enabled: false, date: '', time: '' }, rows: [newRow()] });
  const [created, setCreated] = useState<(DatabaseToken & WithAccessToken) | undefined>();
  if (created !== undefined) {
    return (
      <SecretDialog title="Database Token Created" secret={created.accessToken} onClose={onClose}>
        <p>
          Token Description: <strong>{created.description}</strong>
        </p>
      </SecretDialog>
    );
  }
  const submit = () =>
    state.submit.run(state.valid, async () => {
      const body: Record<string, unknown> = {
        description: state.form.description.trim(),
        permissions: permissionsFromRows(state.form.rows),
      };
      if (state.expiresAt !== null) body.expiresAt = state.expiresAt;
      const token = await api.post<DatabaseToken & WithAccessToken>('/api/v0/tokens', body);
      setCreated(token);
      onCreated();
    });
  return (
    <TokenFormDialog
      title="Create Database Token"
      submitLabel="Create Token"
      state={state}
      onClose={onClose}
      onSubmit={submit}
    >
      <TokenFields state={state} databases={databases} />
    </TokenFormDialog>
  );
}

export function EditDatabaseTokenDialog({
  token,
  databases,
  onClose,
  onSaved,
}: {
  token: DatabaseToken;
  databases: string[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { rows, other } = rowsFromPermissions(token.permissions);
  const state = useTokenForm({ description: token.description, expiry: fieldsFromInstant(token.expiresAt), rows });
  const submit = () =>
    state.submit.run(state.valid, async () => {
      await api.patch(`/api/v0/tokens/${encodeURIComponent(token.id)}`, {
        description: state.form.description.trim(),
        permissions: [...permissionsFromRows(state.form.rows), ...other],
        expiresAt: state.expiresAt,
      });
      onSaved();
      onClose();
    });
  return (
    <TokenFormDialog
      title="Edit Database Token"
      submitLabel="Save Changes"
      state={state}
      onClose={onClose}
      onSubmit={submit}
    >
      <p className="field-hint">Token ID {token.id}</p>
      <TokenFields state={state} databases={databases} />
    </TokenFormDialog>
  );
}

export function permissionDetails(token: DatabaseToken): string[] {
  const { rows } = rowsFromPermissions(token.permissions);
  const lines = rows.map(
    (row) =>
      `${row.database === '*' ? 'All Databases' : row.database}: ${[row.read ? 'read' : '', row.write ? 'write' : ''].filter(Boolean).join(' and ')}`,
  );
  if (lines.length === 0) return [`Databases: ${databasesOf(token.permissions).join(', ') || 'none'}`];
  return lines;
}
