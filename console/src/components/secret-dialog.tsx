import type { ReactNode } from 'react';
import { Dialog } from './dialog.tsx';
import { SecretReveal } from './secret-reveal.tsx';

/** What a create, rotate or regenerate answered: what the token is, its secret shown once, and Done. */
export function SecretDialog({
  title,
  secret,
  onClose,
  children,
}: {
  title: string;
  secret: string;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      actions={
        <button type="button" className="button-primary" onClick={onClose}>
          Done
        </button>
      }
    >
      {children}
      <SecretReveal secret={secret} />
    </Dialog>
  );
}
