import { useId } from 'react';
import { Toggle } from './field.tsx';

interface ToolbarProps {
  search: string;
  onSearch: (value: string) => void;
  searchPlaceholder: string;
  inactiveLabel?: string;
  showInactive?: boolean;
  onShowInactive?: (value: boolean) => void;
  addLabel?: string;
  onAdd?: () => void;
}

/** Search, the Show Inactive toggle and the add button, as the Admin UI's token pages have them. */
export function Toolbar(props: ToolbarProps) {
  const id = useId();
  return (
    <div className="toolbar">
      <div className="field toolbar-search">
        <label htmlFor={id}>Search</label>
        <input
          id={id}
          type="search"
          value={props.search}
          placeholder={props.searchPlaceholder}
          onChange={(event) => props.onSearch(event.target.value)}
        />
      </div>
      {props.onShowInactive === undefined ? null : (
        <Toggle
          label={props.inactiveLabel ?? 'Show Inactive Tokens'}
          checked={props.showInactive ?? false}
          onChange={props.onShowInactive}
        />
      )}
      {props.onAdd === undefined ? null : (
        <button type="button" className="button-primary" onClick={props.onAdd}>
          + {props.addLabel}
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const label = status.charAt(0).toUpperCase() + status.slice(1);
  return <span className={`badge badge-${status}`}>{label}</span>;
}

export function PageHeader({ title, subtitle }: { title: string; subtitle: string }) {
  return (
    <div className="page-header">
      <h1 id="page-title">{title}</h1>
      <p>{subtitle}</p>
    </div>
  );
}
