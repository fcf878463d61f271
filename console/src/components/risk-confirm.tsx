import { Checkbox } from './field.tsx';

/** The Admin UI's guard on destructive actions: the action stays disabled until this is ticked. */
export function RiskConfirm({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  return <Checkbox label="I understand the risk of this action" checked={checked} onChange={onChange} />;
}
