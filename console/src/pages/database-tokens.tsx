import { useState } from 'react';
import { api, listAll } from '../api/client.ts';
import type { Database, DatabaseToken } from '../api/types.ts';
import { type Column, DataTable, type SortState, sortRows } from '../components/data-table.tsx';
import { Instant } from '../components/instant.tsx';
import { ErrorNotice } from '../components/notice.tsx';
import { RowMenu } from '../components/row-menu.tsx';
import { PageHeader, StatusBadge, Toolbar } from '../components/toolbar.tsx';
import { summarizeList } from '../lib/format.ts';
import { databasesOf } from '../lib/permissions.ts';
import { matches } from '../lib/search.ts';
import { useLoad } from '../lib/use-load.ts';
import {
  CreateDatabaseTokenDialog,
  EditDatabaseTokenDialog,
  permissionDetails,
  RevokeDialog,
  RotateDialog,
} from './database-token-dialogs.tsx';

type Open = { kind: 'create' } | { kind: 'edit' | 'rotate' | 'revoke'; token: DatabaseToken } | undefined;

const time = (iso: string | undefined) => (iso === undefined ? 0 : Date.parse(iso));

export function DatabaseTokensPage() {
  const [search, setSearch] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: 'createdAt', direction: 'descending' });
  const [open, setOpen] = useState<Open>();
  const [loaded, setLoaded] = useState(0);
  const tokens = useLoad(
    () => listAll<DatabaseToken>('/api/v0/tokens', { includeRevoked: showInactive ? true : undefined }, setLoaded),
    [showInactive],
  );
  const databases = useLoad(() => listAll<Database>('/api/v0/databases'), []);
  const databaseNames = (databases.data ?? []).map((d) => d.name);

  const columns: Column<DatabaseToken>[] = [
    { key: 'status', header: 'Status', render: (t) => <StatusBadge status={t.status} />, sortValue: (t) => t.status },
    {
      key: 'description',
      header: 'Description',
      className: 'col-wrap',
      render: (t) => t.description,
      sortValue: (t) => t.description,
    },
    { key: 'id', header: 'Token ID', render: (t) => <code>{t.id}</code>, sortValue: (t) => Number(t.id) },
    {
      key: 'databases',
      header: 'Databases',
      className: 'col-wrap',
      render: (t) => summarizeList(databasesOf(t.permissions)),
    },
    {
      key: 'createdAt',
      header: 'Created At',
      render: (t) => <Instant iso={t.createdAt} />,
      sortValue: (t) => time(t.createdAt),
    },
    {
      key: 'expiresAt',
      header: 'Expires At',
      render: (t) => <Instant iso={t.expiresAt} />,
      sortValue: (t) => (t.expiresAt === undefined ? Number.MAX_SAFE_INTEGER : time(t.expiresAt)),
    },
    {
      key: 'lastUsedAt',
      header: 'Last Used',
      render: (t) => <Instant iso={t.lastUsedAt} none="Never" />,
      sortValue: (t) => time(t.lastUsedAt),
    },
    {
      key: 'menu',
      header: 'Actions',
      className: 'col-menu',
      render: (t) =>
        t.status === 'revoked' ? null : (
          <RowMenu
            label={`Actions for ${t.description}`}
            items={[
              { label: 'Edit Token', onSelect: () => setOpen({ kind: 'edit', token: t }) },
              ...(t.status === 'active'
                ? [{ label: 'Rotate Token', onSelect: () => setOpen({ kind: 'rotate', token: t }) }]
                : []),
              { label: 'Revoke Token', danger: true, onSelect: () => setOpen({ kind: 'revoke', token: t }) },
            ]}
          />
        ),
    },
  ];

  const rows = (() => {
    const all = tokens.data ?? [];
    const visible = all.filter(
      (t) => (showInactive || t.status === 'active') && matches(search, t.description, t.id, t.name),
    );
    return sortRows(visible, columns, sort);
  })();

  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Database Tokens"
        subtitle="Database tokens grant read and write permissions to one or more databases. They cannot manage anything."
      />
      <Toolbar
        search={search}
        onSearch={setSearch}
        searchPlaceholder="Description or token ID"
        showInactive={showInactive}
        onShowInactive={setShowInactive}
        addLabel="Add Database Token"
        onAdd={() => setOpen({ kind: 'create' })}
      />
      <ErrorNotice error={tokens.error} />
      {tokens.loading && tokens.data === undefined ? (
        <p aria-live="polite">Loading tokens… {loaded > 0 ? loaded : ''}</p>
      ) : null}
      <DataTable
        caption="Database tokens"
        columns={columns}
        rows={rows}
        rowKey={(t) => t.id}
        sort={sort}
        onSort={setSort}
        empty={search === '' ? 'No database tokens yet.' : 'No token matches the search.'}
      />
      {open?.kind === 'create' ? (
        <CreateDatabaseTokenDialog
          databases={databaseNames}
          onClose={() => setOpen(undefined)}
          onCreated={tokens.reload}
        />
      ) : null}
      {open?.kind === 'edit' ? (
        <EditDatabaseTokenDialog
          token={open.token}
          databases={databaseNames}
          onClose={() => setOpen(undefined)}
          onSaved={tokens.reload}
        />
      ) : null}
      {open?.kind === 'rotate' ? (
        <RotateDialog
          kindLabel="Database Token"
          description={open.token.description}
          path={`/api/v0/tokens/${encodeURIComponent(open.token.id)}/rotate`}
          onClose={() => setOpen(undefined)}
          onRotated={tokens.reload}
        />
      ) : null}
      {open?.kind === 'revoke' ? (
        <RevokeDialog
          kindLabel="Database Token"
          description={open.token.description}
          expiresAt={open.token.expiresAt}
          details={permissionDetails(open.token)}
          onClose={() => setOpen(undefined)}
          onConfirm={async () => {
            await api.delete(`/api/v0/tokens/${encodeURIComponent(open.token.id)}`);
            tokens.reload();
          }}
        />
      ) : null}
    </section>
  );
}
