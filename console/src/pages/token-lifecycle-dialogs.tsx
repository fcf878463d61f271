import { useState } from 'react';
import { api } from '../api/client.ts';
import type { WithAccessToken } from '../api/types.ts';
import { Field } from '../components/field.tsx';
import { RiskDialog } from '../components/risk-dialog.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { fieldError, formError } from '../lib/field-errors.ts';
import { formatInstant } from '../lib/format.ts';
import { useSubmit } from '../lib/use-submit.ts';

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
  const submit = useSubmit();
  const [more, setMore] = useState(false);
  return (
    <RiskDialog
      title={`Revoke ${kindLabel}`}
      onClose={onClose}
      onConfirm={() =>
        submit.run(true, async () => {
          await onConfirm();
          onClose();
        })
      }
      submitLabel="Revoke Token"
      busy={submit.busy}
      warning="You are about to revoke a token."
      error={submit.error}
    >
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
    </RiskDialog>
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
  const submit = useSubmit();
  const [rotated, setRotated] = useState<WithAccessToken>();
  if (rotated !== undefined) {
    return (
      <SecretDialog title={`${kindLabel} Rotated`} secret={rotated.accessToken} onClose={onClose}>
        <p>
          Token Description: <strong>{description}</strong>
        </p>
        <p>
          {rotated.graceEndsAt === undefined
            ? 'The old secret no longer works.'
            : `The old secret keeps working until ${formatInstant(rotated.graceEndsAt)}.`}
        </p>
      </SecretDialog>
    );
  }
  return (
    <RiskDialog
      title={`Rotate ${kindLabel}`}
      onClose={onClose}
      onConfirm={() =>
        submit.run(true, async () => {
          const body = grace.trim() === '' ? {} : { grace: grace.trim() };
          setRotated(await api.post<WithAccessToken>(path, body));
          onRotated();
        })
      }
      submitLabel="Rotate Token"
      busy={submit.busy}
      error={formError(submit.error, 'grace')}
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
        error={fieldError(submit.error, 'grace')}
      />
    </RiskDialog>
  );
}
