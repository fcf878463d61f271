import { listAll } from '../api/client.ts';
import type { Database, DatabaseToken } from '../api/types.ts';
import { summarizeList } from '../lib/format.ts';
import { databasesOf } from '../lib/permissions.ts';
import { useLoad } from '../lib/use-load.ts';
import { CreateDatabaseTokenDialog, EditDatabaseTokenDialog, permissionDetails } from './database-token-dialogs.tsx';
import { V0TokensPage } from './v0-tokens-page.tsx';

export function DatabaseTokensPage() {
  const databases = useLoad(() => listAll<Database>('/api/v0/databases'), []);
  const databaseNames = (databases.data ?? []).map((d) => d.name);
  return (
    <V0TokensPage<DatabaseToken>
      title="Database Tokens"
      subtitle="Database tokens grant read and write permissions to one or more databases. They cannot manage anything."
      kindLabel="Database Token"
      path="/api/v0/tokens"
      caption="Database tokens"
      empty="No database tokens yet."
      own={{
        key: 'databases',
        header: 'Databases',
        className: 'col-wrap',
        render: (t) => summarizeList(databasesOf(t.permissions)),
      }}
      details={permissionDetails}
      progress
      dialogs={(open, close, reload) => (
        <>
          {open?.kind === 'create' ? (
            <CreateDatabaseTokenDialog databases={databaseNames} onClose={close} onCreated={reload} />
          ) : null}
          {open?.kind === 'edit' ? (
            <EditDatabaseTokenDialog token={open.token} databases={databaseNames} onClose={close} onSaved={reload} />
          ) : null}
        </>
      )}
    />
  );
}
