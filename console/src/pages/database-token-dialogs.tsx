import { useState } from 'react';
import { api } from '../api/client.ts';
import type { DatabaseToken, WithAccessToken } from '../api/types.ts';
import { Dialog } from '../components/dialog.tsx';
import { ExpiryEditor } from '../components/expiry-editor.tsx';
import { Field } from '../components/field.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { PermissionEditor } from '../components/permission-editor.tsx';
import { RiskConfirm } from '../components/risk-confirm.tsx';
import { SecretReveal } from '../components/secret-reveal.tsx';
import { type ExpiryFields, expiryFrom, fieldsFromInstant } from '../lib/expiry.ts';
import { fieldError, formError } from '../lib/field-errors.ts';
import { formatInstant } from '../lib/format.ts';
import {
  checkRows,
  databasesOf,
  newRow,
  type PermissionRow,
  permissionsFromRows,
  rowsFromPermissions,
} from '../lib/permissions.ts';

interface FormState {
  description: string;
  expiry: ExpiryFields;
  rows: PermissionRow[];
}

function useTokenForm(initial: FormState) {
  const [form, setForm] = useState(initial);
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const expiry = expiryFrom(form.expiry, Date.now());
  const problems = checkRows(form.rows);
  const descriptionProblem = form.description.trim() === '' ? 'Enter a description' : undefined;
  const valid = descriptionProblem === undefined && expiry.ok && problems.size === 0;
  return {
    form,
    setForm,
    attempted,
    setAttempted,
    error,
    setError,
    busy,
    setBusy,
    expiry,
    problems,
    descriptionProblem,
    valid,
  };
}

function TokenFields({ state, databases }: { state: ReturnType<typeof useTokenForm>; databases: string[] }) {
  const { form, setForm, attempted, error, expiry, problems, descriptionProblem } = state;
  const touchedDescription = attempted || form.description !== '';
  return (
    <>
      <Field
        label="Token Description"
        value={form.description}
        onChange={(description) => setForm({ ...form, description })}
        required
        maxLength={1000}
        error={(touchedDescription ? descriptionProblem : undefined) ?? fieldError(error, 'description')}
      />
      <ExpiryEditor
        kind="database token"
        value={form.expiry}
        onChange={(value) => setForm({ ...form, expiry: value })}
        errors={{
          date:
            (!expiry.ok && expiry.field === 'date' && (attempted || form.expiry.date !== '')
              ? expiry.message
              : undefined) ?? fieldError(error, 'expiresAt', 'expiresIn'),
          time: !expiry.ok && expiry.field === 'time' ? expiry.message : undefined,
        }}
      />
      <PermissionEditor
        rows={form.rows}
        onChange={(rows) => setForm({ ...form, rows })}
        databases={databases}
        problems={problems}
        showProblems={attempted || form.rows.some((row) => row.database !== '')}
        serverError={fieldError(error, 'permissions', 'addPermissions', 'removeDatabases')}
      />
      <ErrorNotice error={formError(error, 'description', 'expiresAt', 'expiresIn', 'permissions')} />
    </>
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
      <Dialog
        title="Database Token Created"
        onClose={onClose}
        actions={
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          Token Description: <strong>{created.description}</strong>
        </p>
        <SecretReveal secret={created.accessToken} />
      </Dialog>
    );
  }
  const submit = async () => {
    state.setAttempted(true);
    if (!state.valid || !state.expiry.ok) return;
    state.setBusy(true);
    state.setError(undefined);
    try {
      const body: Record<string, unknown> = {
        description: state.form.description.trim(),
        permissions: permissionsFromRows(state.form.rows),
      };
      if (state.expiry.expiresAt !== null) body.expiresAt = state.expiry.expiresAt;
      const token = await api.post<DatabaseToken & WithAccessToken>('/api/v0/tokens', body);
      setCreated(token);
      onCreated();
    } catch (caught) {
      state.setError(caught);
    } finally {
      state.setBusy(false);
    }
  };
  return (
    <Dialog
      title="Create Database Token"
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!state.valid || state.busy}>
            Create Token
          </button>
        </>
      }
    >
      <TokenFields state={state} databases={databases} />
    </Dialog>
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
  const submit = async () => {
    state.setAttempted(true);
    if (!state.valid || !state.expiry.ok) return;
    state.setBusy(true);
    state.setError(undefined);
    try {
      await api.patch(`/api/v0/tokens/${encodeURIComponent(token.id)}`, {
        description: state.form.description.trim(),
        permissions: [...permissionsFromRows(state.form.rows), ...other],
        expiresAt: state.expiry.expiresAt,
      });
      onSaved();
      onClose();
    } catch (caught) {
      state.setError(caught);
    } finally {
      state.setBusy(false);
    }
  };
  return (
    <Dialog
      title="Edit Database Token"
      onClose={onClose}
      onSubmit={submit}
      wide
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!state.valid || state.busy}>
            Save Changes
          </button>
        </>
      }
    >
      <p className="field-hint">Token ID {token.id}</p>
      <TokenFields state={state} databases={databases} />
    </Dialog>
  );
}

/** What a revoke stops, in the Admin UI's words, with the risk checkbox gating the button. */
export function RevokeDialog({
  kindLabel,
  description,
  expiresAt,
  details,
  onClose,
  onConfirm,
}: {
  kindLabel: string;
  description: string;
  expiresAt: string | undefined | null;
  details?: string[];
  onClose: () => void;
  onConfirm: () => Promise<void>;
}) {
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [more, setMore] = useState(false);
  const submit = async () => {
    if (!understood) return;
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      onClose();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Revoke ${kindLabel}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger" disabled={!understood || busy}>
            Revoke Token
          </button>
        </>
      }
    >
      <div className="notice notice-warning" role="alert">
        <strong>You are about to revoke a token.</strong>
      </div>
      <p>
        Are you sure you want to revoke this token? Anything that references this token will no longer function: its
        very next request is refused. This action will revoke:
      </p>
      <dl className="summary">
        <dt>Token Description</dt>
        <dd>{description}</dd>
        <dt>Expiration Date</dt>
        <dd>{formatInstant(expiresAt, 'Does not expire')}</dd>
      </dl>
      {details === undefined || details.length === 0 ? null : (
        <>
          <button type="button" className="button-link" aria-expanded={more} onClick={() => setMore(!more)}>
            See more details {more ? '⌃' : '⌄'}
          </button>
          {more ? (
            <ul className="details-list">
              {details.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
        </>
      )}
      <RiskConfirm checked={understood} onChange={setUnderstood} />
      <ErrorNotice error={error} />
    </Dialog>
  );
}

/** A new secret for the same id and rights; the old one stops at once or after the grace period. */
export function RotateDialog({
  kindLabel,
  description,
  path,
  onClose,
  onRotated,
}: {
  kindLabel: string;
  description: string;
  path: string;
  onClose: () => void;
  onRotated: () => void;
}) {
  const [grace, setGrace] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [rotated, setRotated] = useState<WithAccessToken>();
  if (rotated !== undefined) {
    return (
      <Dialog
        title={`${kindLabel} Rotated`}
        onClose={onClose}
        actions={
          <button type="button" className="button-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <p>
          Token Description: <strong>{description}</strong>
        </p>
        <p>
          {rotated.graceEndsAt === undefined
            ? 'The old secret no longer works.'
            : `The old secret keeps working until ${formatInstant(rotated.graceEndsAt)}.`}
        </p>
        <SecretReveal secret={rotated.accessToken} />
      </Dialog>
    );
  }
  const submit = async () => {
    if (!understood) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = grace.trim() === '' ? {} : { grace: grace.trim() };
      setRotated(await api.post<WithAccessToken>(path, body));
      onRotated();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rotate ${kindLabel}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger" disabled={!understood || busy}>
            Rotate Token
          </button>
        </>
      }
    >
      <p>
        Rotating <strong>{description}</strong> gives it a new secret with the same ID and rights. Without a grace
        period the current secret stops working at once.
      </p>
      <Field
        label="Grace Period"
        value={grace}
        onChange={setGrace}
        placeholder="0s"
        hint="How long the old secret keeps working, for example 1h or 30m (at most 30d)"
        error={fieldError(error, 'grace')}
      />
      <RiskConfirm checked={understood} onChange={setUnderstood} />
      <ErrorNotice error={formError(error, 'grace')} />
    </Dialog>
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
