import type { ReactNode } from 'react';
import { Dialog } from './dialog.tsx';
import { ErrorNotice } from './notice.tsx';

interface FormDialogProps {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  submitLabel: string;
  /** Whether the submit button may be pressed (the form is valid and nothing runs). */
  canSubmit: boolean;
  /** A destructive action: the submit button is the danger one. */
  danger?: boolean;
  wide?: boolean;
  /** The error no field claimed, shown last, above the buttons. */
  error?: Error | undefined;
  children: ReactNode;
}

/** A dialog that is a form: its fields, the error no field claimed, then Cancel and the submit button. */
export function FormDialog({ submitLabel, canSubmit, danger, error, children, ...dialog }: FormDialogProps) {
  return (
    <Dialog
      {...dialog}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={dialog.onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'button-danger' : 'button-primary'} disabled={!canSubmit}>
            {submitLabel}
          </button>
        </>
      }
    >
      {children}
      <ErrorNotice error={error} />
    </Dialog>
  );
}
