import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import type { Database } from '../api/types.ts';
import { idColumn, instantColumn, menuColumn, statusColumn, textColumn } from '../components/columns.tsx';
import type { Column } from '../components/data-table.tsx';
import { Field } from '../components/field.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { Instant } from '../components/instant.tsx';
import { ListPage } from '../components/list-page.tsx';
import { RiskDialog } from '../components/risk-dialog.tsx';
import { fieldError, formError, shownProblem } from '../lib/field-errors.ts';
import { formatInstant, formatRetention } from '../lib/format.ts';
import { useListState } from '../lib/use-list-state.ts';
import { useLoad } from '../lib/use-load.ts';
import { useSubmit } from '../lib/use-submit.ts';

type Open = { kind: 'create' } | { kind: 'edit' | 'rename' | 'delete' | 'restore'; database: Database };

export function DatabasesPage() {
  const list = useListState<Open>({ key: 'name', direction: 'ascending' });
  const databases = useLoad(async () => {
    const active = await listAll<Database>('/api/v0/databases');
    const deleted = list.showInactive ? await listAll<Database>('/api/v0/databases', { filterStatus: 'deleted' }) : [];
    return [...active, ...deleted];
  }, [list.showInactive]);
  const columns: Column<Database>[] = [
    statusColumn(),
    textColumn('name', 'Name', (d) => d.name),
    idColumn('Database ID', (d) => d.id),
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
    instantColumn('createdAt', 'Created At', (d) => d.createdAt),
    {
      key: 'purgeAt',
      header: 'Purged At',
      render: (d) => (d.status === 'deleted' ? <Instant iso={d.purgeAt} /> : ''),
    },
    menuColumn(
      (d) => `Actions for ${d.name}`,
      (d) =>
        d.status === 'deleted'
          ? [{ label: 'Restore Database', onSelect: () => list.setOpen({ kind: 'restore', database: d }) }]
          : [
              { label: 'Edit Database', onSelect: () => list.setOpen({ kind: 'edit', database: d }) },
              { label: 'Rename Database', onSelect: () => list.setOpen({ kind: 'rename', database: d }) },
              {
                label: 'Delete Database',
                danger: true,
                onSelect: () => list.setOpen({ kind: 'delete', database: d }),
              },
            ],
    ),
  ];
  const { open, close } = list;
  return (
    <ListPage
      title="Databases"
      subtitle="Each database has its own retention period and limits. Tokens are bound to a database's id, so a rename keeps them."
      list={list}
      loaded={databases}
      searchPlaceholder="Name or database ID"
      searchIn={(d) => [d.name, d.id]}
      inactiveLabel="Show Deleted Databases"
      addLabel="New Database"
      onAdd={() => list.setOpen({ kind: 'create' })}
      caption="Databases"
      columns={columns}
      rowKey={(d) => `${d.status}-${d.id}`}
      empty={list.search === '' ? 'No databases yet.' : 'No database matches the search.'}
    >
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
    </ListPage>
  );
}

function positiveOrEmpty(text: string, label: string): string | undefined {
  if (text.trim() === '') return undefined;
  return /^[1-9]\d{0,8}$/.test(text.trim()) ? undefined : `${label} must be a positive whole number`;
}

interface DialogProps {
  database: Database;
  onClose: () => void;
  onDone: () => void;
}

function DatabaseDialog({ database, onClose, onDone }: Omit<DialogProps, 'database'> & { database?: Database }) {
  const [name, setName] = useState(database?.name ?? '');
  const [retention, setRetention] = useState(
    database === undefined || database.retentionPeriod === 0 ? '' : formatRetention(database.retentionPeriod),
  );
  const [maxTables, setMaxTables] = useState(String(database?.maxTables ?? 500));
  const [maxColumns, setMaxColumns] = useState(String(database?.maxColumnsPerTable ?? 250));
  const submit = useSubmit();
  const nameProblem = database === undefined && name.trim() === '' ? 'Enter a database name' : undefined;
  const tablesProblem = positiveOrEmpty(maxTables, 'Max Tables');
  const columnsProblem = positiveOrEmpty(maxColumns, 'Max Columns per Table');
  const valid = nameProblem === undefined && tablesProblem === undefined && columnsProblem === undefined;
  const save = () =>
    submit.run(valid, async () => {
      const body: Record<string, unknown> = { retentionPeriod: retention.trim() === '' ? 0 : retention.trim() };
      if (maxTables.trim() !== '') body.maxTables = Number(maxTables);
      if (maxColumns.trim() !== '') body.maxColumnsPerTable = Number(maxColumns);
      if (database === undefined) await api.post('/api/v0/databases', { name: name.trim(), ...body });
      else await api.patch(`/api/v0/databases/${encodeURIComponent(database.name)}`, body);
      onDone();
      onClose();
    });
  const { error } = submit;
  return (
    <FormDialog
      title={database === undefined ? 'New Database' : `Edit Database ${database.name}`}
      onClose={onClose}
      onSubmit={save}
      submitLabel={database === undefined ? 'Create Database' : 'Save Changes'}
      canSubmit={valid && !submit.busy}
      error={formError(error, 'name', 'retentionPeriod', 'maxTables', 'maxColumnsPerTable')}
    >
      {database === undefined ? (
        <Field
          label="Database Name"
          value={name}
          onChange={setName}
          required
          maxLength={64}
          hint="1–64 of A-Z a-z 0-9 _ . - , not starting with _"
          error={shownProblem(nameProblem, name !== '') ?? fieldError(error, 'name')}
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
    </FormDialog>
  );
}

function RenameDialog({ database, onClose, onDone }: DialogProps) {
  const [name, setName] = useState(database.name);
  const submit = useSubmit();
  const valid = name.trim() !== '' && name.trim() !== database.name;
  const rename = () =>
    submit.run(valid, async () => {
      await api.put(`/api/v0/databases/${encodeURIComponent(database.name)}/rename`, { name: name.trim() });
      onDone();
      onClose();
    });
  return (
    <FormDialog
      title={`Rename Database ${database.name}`}
      onClose={onClose}
      onSubmit={rename}
      submitLabel="Rename Database"
      canSubmit={valid && !submit.busy}
      error={formError(submit.error, 'name')}
    >
      <p>The database keeps its id, its data and every token&apos;s access.</p>
      <Field
        label="New Name"
        value={name}
        onChange={setName}
        required
        maxLength={64}
        error={fieldError(submit.error, 'name')}
      />
    </FormDialog>
  );
}

function DeleteDialog({ database, onClose, onDone }: DialogProps) {
  const [typed, setTyped] = useState('');
  const submit = useSubmit();
  return (
    <RiskDialog
      title={`Delete Database ${database.name}`}
      onClose={onClose}
      onConfirm={() =>
        submit.run(true, async () => {
          await api.delete(`/api/v0/databases/${encodeURIComponent(database.name)}`);
          onDone();
          onClose();
        })
      }
      submitLabel="Delete Database"
      busy={submit.busy}
      ready={typed === database.name}
      warning="You are about to delete a database."
      error={submit.error}
    >
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
    </RiskDialog>
  );
}

function RestoreDialog({ database, onClose, onDone }: DialogProps) {
  const submit = useSubmit();
  const restore = () =>
    submit.run(true, async () => {
      await api.put(`/api/v0/databases/${database.id}/undelete`);
      onDone();
      onClose();
    });
  return (
    <FormDialog
      title={`Restore Database ${database.name}`}
      onClose={onClose}
      onSubmit={restore}
      submitLabel="Restore Database"
      canSubmit={!submit.busy}
      error={submit.error}
    >
      <p>
        <strong>{database.name}</strong> comes back with its data and every grant that named it
        {database.purgeAt === undefined ? '' : `; it would have been purged at ${formatInstant(database.purgeAt)}`}.
      </p>
    </FormDialog>
  );
}
