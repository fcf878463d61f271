import { useId } from 'react';
import { newRow, type PermissionRow, type RowProblems } from '../lib/permissions.ts';

interface PermissionEditorProps {
  rows: PermissionRow[];
  onChange: (rows: PermissionRow[]) => void;
  databases: readonly string[];
  problems: Map<number, RowProblems>;
  /** Show problems only once the user has touched the form or tried to submit. */
  showProblems: boolean;
  serverError?: string | undefined;
}

/** Permission rows: a Database select (a database or All Databases) with Read and Write toggles. */
export function PermissionEditor({
  rows,
  onChange,
  databases,
  problems,
  showProblems,
  serverError,
}: PermissionEditorProps) {
  const update = (key: number, change: Partial<PermissionRow>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  return (
    <fieldset className="permissions">
      <legend>Permissions</legend>
      {rows.length === 0 ? <p className="field-hint">No permissions: this token can reach no database.</p> : null}
      {rows.map((row, index) => (
        <PermissionRowEditor
          key={row.key}
          index={index}
          row={row}
          databases={databases}
          problem={showProblems ? problems.get(row.key) : undefined}
          onChange={(change) => update(row.key, change)}
          onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
        />
      ))}
      {serverError === undefined ? null : (
        <p className="field-error" role="alert">
          {serverError}
        </p>
      )}
      <button type="button" className="button-secondary" onClick={() => onChange([...rows, newRow()])}>
        + Add Permission
      </button>
    </fieldset>
  );
}

interface RowEditorProps {
  index: number;
  row: PermissionRow;
  databases: readonly string[];
  problem: RowProblems | undefined;
  onChange: (change: Partial<PermissionRow>) => void;
  onRemove: () => void;
}

function PermissionRowEditor({ index, row, databases, problem, onChange, onRemove }: RowEditorProps) {
  const id = useId();
  const known = row.database === '' || row.database === '*' || databases.includes(row.database);
  return (
    <div className="permission-row" data-row={index + 1}>
      <div className={`field${problem?.database === undefined ? '' : ' field-invalid'}`}>
        <label htmlFor={`${id}-db`}>Database</label>
        <select
          id={`${id}-db`}
          value={row.database}
          onChange={(event) => onChange({ database: event.target.value })}
          aria-invalid={problem?.database === undefined ? undefined : true}
          aria-describedby={problem?.database === undefined ? undefined : `${id}-db-error`}
        >
          <option value="" disabled>
            Select a database
          </option>
          <option value="*">All Databases</option>
          {databases.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {known ? null : <option value={row.database}>{row.database}</option>}
        </select>
        {problem?.database === undefined ? null : (
          <p className="field-error" id={`${id}-db-error`} role="alert">
            {problem.database}
          </p>
        )}
      </div>
      <fieldset
        className="actions-chips"
        aria-describedby={problem?.actions === undefined ? undefined : `${id}-act-error`}
      >
        <legend>Actions</legend>
        <span className="chip">
          <input
            id={`${id}-read`}
            type="checkbox"
            role="switch"
            aria-checked={row.read}
            checked={row.read}
            onChange={(event) => onChange({ read: event.target.checked })}
          />
          <label htmlFor={`${id}-read`}>Read</label>
        </span>
        <span className="chip">
          <input
            id={`${id}-write`}
            type="checkbox"
            role="switch"
            aria-checked={row.write}
            checked={row.write}
            onChange={(event) => onChange({ write: event.target.checked })}
          />
          <label htmlFor={`${id}-write`}>Write</label>
        </span>
        {problem?.actions === undefined ? null : (
          <p className="field-error" id={`${id}-act-error`} role="alert">
            {problem.actions}
          </p>
        )}
      </fieldset>
      <button type="button" className="button-icon" aria-label={`Remove permission ${index + 1}`} onClick={onRemove}>
        🗑
      </button>
    </div>
  );
}
