import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import type { Database } from '../api/types.ts';
import { type Column, DataTable, type SortState, sortRows } from '../components/data-table.tsx';
import { Dialog } from '../components/dialog.tsx';
import { Field } from '../components/field.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { RiskConfirm } from '../components/risk-confirm.tsx';
import { RowMenu } from '../components/row-menu.tsx';
import { PageHeader, StatusBadge, Toolbar } from '../components/toolbar.tsx';
import { fieldError, formError } from '../lib/field-errors.ts';
import { formatInstant, formatRetention } from '../lib/format.ts';
import { matches } from '../lib/search.ts';
import { useLoad } from '../lib/use-load.ts';

type Open = { kind: 'create' } | { kind: 'edit' | 'rename' | 'delete' | 'restore'; database: Database } | undefined;

export function DatabasesPage() {
  const [search, setSearch] = useState('');
  const [showDeleted, setShowDeleted] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'name', direction: 'ascending' });
  const [open, setOpen] = useState<Open>();
  const databases = useLoad(async () => {
    const active = await listAll<Database>('/api/v0/databases');
    const deleted = showDeleted ? await listAll<Database>('/api/v0/databases', { filterStatus: 'deleted' }) : [];
    return [...active, ...deleted];
  }, [showDeleted]);
  const columns: Column<Database>[] = [
    { key: 'status', header: 'Status', render: (d) => <StatusBadge status={d.status} />, sortValue: (d) => d.status },
    { key: 'name', header: 'Name', className: 'col-wrap', render: (d) => d.name, sortValue: (d) => d.name },
    { key: 'id', header: 'Database ID', render: (d) => <code>{d.id}</code>, sortValue: (d) => d.id },
    {
      key: 'retention',
      header: 'Retention Period',
      render: (d) => formatRetention(d.retentionPeriod),
      sortValue: (d) => (d.retentionPeriod === 0 ? Number.MAX_SAFE_INTEGER : d.retentionPeriod),
    },
    { key: 'maxTables', header: 'Max Tables', render: (d) => d.maxTables, sortValue: (d) => d.maxTables },
    {
      key: 'maxColumns',
      header: 'Max Columns',
      render: (d) => d.maxColumnsPerTable,
      sortValue: (d) => d.maxColumnsPerTable,
    },
    {
      key: 'createdAt',
      header: 'Created At',
      render: (d) => <Instant iso={d.createdAt} />,
      sortValue: (d) => (d.createdAt === undefined ? 0 : Date.parse(d.createdAt)),
    },
    {
      key: 'purgeAt',
      header: 'Purged At',
      render: (d) => (d.status === 'deleted' ? <Instant iso={d.purgeAt} /> : ''),
    },
    {
      key: 'menu',
      header: 'Actions',
      className: 'col-menu',
      render: (d) => (
        <RowMenu
          label={`Actions for ${d.name}`}
          items={
            d.status === 'deleted'
              ? [{ label: 'Restore Database', onSelect: () => setOpen({ kind: 'restore', database: d }) }]
              : [
                  { label: 'Edit Database', onSelect: () => setOpen({ kind: 'edit', database: d }) },
                  { label: 'Rename Database', onSelect: () => setOpen({ kind: 'rename', database: d }) },
                  { label: 'Delete Database', danger: true, onSelect: () => setOpen({ kind: 'delete', database: d }) },
                ]
          }
        />
      ),
    },
  ];
  const rows = sortRows(
    (databases.data ?? []).filter((d) => matches(search, d.name, d.id)),
    columns,
    sort,
  );
  const close = () => setOpen(undefined);
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Databases"
        subtitle="Each database has its own retention period and limits. Tokens are bound to a database's id, so a rename keeps them."
      />
      <Toolbar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Name or database ID"
        inactiveLabel="Show Deleted Databases"
        showInactive={showDeleted}
        onShowInactive={setShowDeleted}
        addLabel="New Database"
        onAdd={() => setOpen({ kind: 'create' })}
      />
      <ErrorNotice error={databases.error} />
      <DataTable
        caption="Databases"
        columns={columns}
        rows={rows}
        rowKey={(d) => `${d.status}-${d.id}`}
        sort={sort}
        onSort={setSort}
        empty={search === '' ? 'No databases yet.' : 'No database matches the search.'}
      />
      {open?.kind === 'create' || open?.kind === 'edit' ? (
        <DatabaseDialog
          database={open.kind === 'edit' ? open.database : undefined}
          onClose={close}
          onDone={databases.reload}
        />
      ) : null}
      {open?.kind === 'rename' ? (
        <RenameDialog database={open.database} onClose={close} onDone={databases.reload} />
      ) : null}
      {open?.kind === 'delete' ? (
        <DeleteDialog database={open.database} onClose={close} onDone={databases.reload} />
      ) : null}
      {open?.kind === 'restore' ? (
        <RestoreDialog database={open.database} onClose={close} onDone={databases.reload} />
      ) : null}
    </section>
  );
}

function positiveOrEmpty(text: string, label: string): string | undefined {
  if (text.trim() === '') return undefined;
  return /^[1-9]\d{0,8}$/.test(text.trim()) ? undefined : `${label} must be a positive whole number`;
}

function DatabaseDialog({
  database,
  onClose,
  onDone,
}: {
  database: Database | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const [name, setName] = useState(database?.name ?? '');
  const [retention, setRetention] = useState(
    database === undefined || database.retentionPeriod === 0 ? '' : formatRetention(database.retentionPeriod),
  );
  const [maxTables, setMaxTables] = useState(String(database?.maxTables ?? 500));
  const [maxColumns, setMaxColumns] = useState(String(database?.maxColumnsPerTable ?? 250));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const nameProblem = database === undefined && name.trim() === '' ? 'Enter a database name' : undefined;
  const tablesProblem = positiveOrEmpty(maxTables, 'Max Tables');
  const columnsProblem = positiveOrEmpty(maxColumns, 'Max Columns per Table');
  const valid = nameProblem === undefined && tablesProblem === undefined && columnsProblem === undefined;
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    setError(undefined);
    const body: Record<string, unknown> = { retentionPeriod: retention.trim() === '' ? 0 : retention.trim() };
    if (maxTables.trim() !== '') body.maxTables = Number(maxTables);
    if (maxColumns.trim() !== '') body.maxColumnsPerTable = Number(maxColumns);
    try {
      if (database === undefined) await api.post('/api/v0/databases', { name: name.trim(), ...body });
      else await api.patch(`/api/v0/databases/${encodeURIComponent(database.name)}`, body);
      onDone();
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={database === undefined ? 'New Database' : `Edit Database ${database.name}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!valid || busy}>
            {database === undefined ? 'Create Database' : 'Save Changes'}
          </button>
        </>
      }
    >
      {database === undefined ? (
        <Field
          label="Database Name"
          value={name}
          onChange={setName}
          required
          maxLength={64}
          hint="1–64 of A-Z a-z 0-9 _ . - , not starting with _"
          error={(name !== '' ? nameProblem : undefined) ?? fieldError(error, 'name')}
        />
      ) : null}
      <Field
        label="Retention Period"
        value={retention}
        onChange={setRetention}
        placeholder="Infinite"
        hint="For example 30d, 12h, 2w, 1mo or 1y; empty keeps data forever"
        error={fieldError(error, 'retentionPeriod')}
      />
      <Field
        label="Max Tables"
        value={maxTables}
        onChange={setMaxTables}
        inputMode="numeric"
        error={tablesProblem ?? fieldError(error, 'maxTables')}
      />
      <Field
        label="Max Columns per Table"
        value={maxColumns}
        onChange={setMaxColumns}
        inputMode="numeric"
        error={columnsProblem ?? fieldError(error, 'maxColumnsPerTable')}
      />
      <ErrorNotice error={formError(error, 'name', 'retentionPeriod', 'maxTables', 'maxColumnsPerTable')} />
    </Dialog>
  );
}

function RenameDialog({ database, onClose, onDone }: { database: Database; onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState(database.name);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const valid = name.trim() !== '' && name.trim() !== database.name;
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.put(`/api/v0/databases/${encodeURIComponent(database.name)}/rename`, { name: name.trim() });
      onDone();
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rename Database ${database.name}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={!valid || busy}>
            Rename Database
          </button>
        </>
      }
    >
      <p>The database keeps its id, its data and every token&apos;s access.</p>
      <Field
        label="New Name"
        value={name}
        onChange={setName}
        required
        maxLength={64}
        error={fieldError(error, 'name')}
      />
      <ErrorNotice error={formError(error, 'name')} />
    </Dialog>
  );
}

function DeleteDialog({ database, onClose, onDone }: { database: Database; onClose: () => void; onDone: () => void }) {
  const [typed, setTyped] = useState('');
  const [understood, setUnderstood] = useState(false);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const valid = understood && typed === database.name;
  const submit = async () => {
    if (!valid) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(`/api/v0/databases/${encodeURIComponent(database.name)}`);
      onDone();
      onClose();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Delete Database ${database.name}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-danger" disabled={!valid || busy}>
            Delete Database
          </button>
        </>
      }
    >
      <div className="notice notice-warning" role="alert">
        <strong>You are about to delete a database.</strong>
      </div>
      <p>
        Writes and queries to <strong>{database.name}</strong> stop at once. Its data is kept for the recovery window,
        during which it can be restored; after that the files are removed.
      </p>
      <Field
        label="Type the database name to confirm"
        value={typed}
        onChange={setTyped}
        autoComplete="off"
        error={typed !== '' && typed !== database.name ? 'The name does not match' : undefined}
      />
      <RiskConfirm checked={understood} onChange={setUnderstood} />
      <ErrorNotice error={error} />
    </Dialog>
  );
}

function RestoreDialog({ database, onClose, onDone }: { database: Database; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.put(`/api/v0/databases/${database.id}/undelete`);
      onDone();
      onClose();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Restore Database ${database.name}`}
      onClose={onClose}
      onSubmit={submit}
      actions={
        <>
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button-primary" disabled={busy}>
            Restore Database
          </button>
        </>
      }
    >
      <p>
        <strong>{database.name}</strong> comes back with its data and every grant that named it
        {database.purgeAt === undefined ? '' : `; it would have been purged at ${formatInstant(database.purgeAt)}`}.
      </p>
      <ErrorNotice error={error} />
    </Dialog>
  );
}
