import { type ReactNode, useState } from 'react';
import { FormDialog } from './form-dialog.tsx';
import { Notice } from './notice.tsx';
import { RiskConfirm } from './risk-confirm.tsx';

interface RiskDialogProps {
  title: string;
  onClose: () => void;
  /** Called on submit once the risk is acknowledged (and the dialog is `ready`). */
  onConfirm: () => void;
  submitLabel: string;
  busy: boolean;
  /** What else the action waits for besides the acknowledgement (a typed name). */
  ready?: boolean;
  /** The warning in bold at the top, if any. */
  warning?: string;
  error?: Error | undefined;
  children: ReactNode;
}

/** A destructive action's dialog: its danger button stays disabled until the risk box is ticked. */
export function RiskDialog({ onConfirm, busy, ready = true, warning, children, ...dialog }: RiskDialogProps) {
  const [understood, setUnderstood] = useState(false);
  const confirmed = understood && ready;
  return (
    <FormDialog
      {...dialog}
      danger
      canSubmit={confirmed && !busy}
      onSubmit={() => {
        if (confirmed) onConfirm();
      }}
    >
      {warning === undefined ? null : (
        <Notice kind="warning">
          <strong>{warning}</strong>
        </Notice>
      )}
      {children}
      <RiskConfirm checked={understood} onChange={setUnderstood} />
    </FormDialog>
  );
}
