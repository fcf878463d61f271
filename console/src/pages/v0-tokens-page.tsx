import { type ReactNode, useState } from 'react';
import { api, listAll } from '../api/client.ts';
import type { V0Token } from '../api/types.ts';
import { idColumn, instantColumn, menuColumn, statusColumn, textColumn } from '../components/columns.tsx';
import type { Column } from '../components/data-table.tsx';
import { ListPage } from '../components/list-page.tsx';
import { useListState } from '../lib/use-list-state.ts';
import { useLoad } from '../lib/use-load.ts';
import { RevokeDialog, RotateDialog } from './token-lifecycle-dialogs.tsx';

/** The dialog a v0 token list has open over it. */
export type TokenDialog<T> = { kind: 'create' } | { kind: 'edit' | 'rotate' | 'revoke'; token: T };

interface V0TokensPageProps<T> {
  title: string;
  subtitle: string;
  /** `Database Token`, `Management Token`: in the add button and the rotate and revoke dialogs. */
  kindLabel: string;
  /** The collection: `/api/v0/tokens`, `/api/v0/management-tokens`. */
  path: string;
  /** The table's name (`Database tokens`), and its text when there are none yet. */
  caption: string;
  empty: string;
  /** The column that is the page's own (databases, role). */
  own: Column<T>;
  /** What the revoke dialog lists under See more details. */
  details: (token: T) => string[];
  /** Whether to count the tokens loaded while the first load runs (a long list pages slowly). */
  progress?: boolean;
  /** The page's create and edit dialogs, for the dialog open. */
  dialogs: (open: TokenDialog<T> | undefined, close: () => void, reload: () => void) => ReactNode;
}

/**
 * A v0 token list (the Database Tokens and Management Tokens pages): newest first, revoked and
 * expired ones behind Show Inactive, and Rotate and Revoke as the collection's own endpoints do them.
 */
export function V0TokensPage<T extends V0Token>(props: V0TokensPageProps<T>) {
  const list = useListState<TokenDialog<T>>({ key: 'createdAt', direction: 'descending' });
  const [loaded, setLoaded] = useState(0);
  const tokens = useLoad(
    () =>
      listAll<T>(
        props.path,
        { includeRevoked: list.showInactive ? true : undefined },
        props.progress ? setLoaded : undefined,
      ),
    [list.showInactive],
  );
  const { open, close } = list;
  return (
    <ListPage
      title={props.title}
      subtitle={props.subtitle}
      list={list}
      loaded={tokens}
      searchPlaceholder="Description or token ID"
      searchIn={(t) => [t.description, t.id, t.name]}
      inactiveLabel="Show Inactive Tokens"
      inactive={(t) => t.status !== 'active'}
      addLabel={`Add ${props.kindLabel}`}
      onAdd={() => list.setOpen({ kind: 'create' })}
      status={
        props.progress && tokens.loading && tokens.data === undefined ? (
          <p aria-live="polite">Loading tokens… {loaded > 0 ? loaded : ''}</p>
        ) : null
      }
      caption={props.caption}
      columns={v0TokenColumns(props.own, list.setOpen)}
      rowKey={(t) => t.id}
      empty={list.search === '' ? props.empty : 'No token matches the search.'}
    >
      {props.dialogs(open, close, tokens.reload)}
      <V0TokenLifecycle
        open={open}
        kindLabel={props.kindLabel}
        path={props.path}
        details={props.details}
        onClose={close}
        onDone={tokens.reload}
      />
    </ListPage>
  );
}

/**
 * The columns of a v0 token list (database and management tokens): status, description, id, the
 * page's own column, when it was made, expires and was last used, and its Edit, Rotate, Revoke menu.
 */
function v0TokenColumns<T extends V0Token>(own: Column<T>, open: (dialog: TokenDialog<T>) => void): Column<T>[] {
  return [
    statusColumn(),
    textColumn('description', 'Description', (t) => t.description),
    idColumn(
      'Token ID',
      (t) => t.id,
      (t) => Number(t.id),
    ),
    own,
    instantColumn('createdAt', 'Created At', (t) => t.createdAt),
    instantColumn('expiresAt', 'Expires At', (t) => t.expiresAt, { missing: Number.MAX_SAFE_INTEGER }),
    instantColumn('lastUsedAt', 'Last Used', (t) => t.lastUsedAt, { none: 'Never' }),
    menuColumn(
      (t) => `Actions for ${t.description}`,
      (t) =>
        t.status === 'revoked'
          ? undefined
          : [
              { label: 'Edit Token', onSelect: () => open({ kind: 'edit', token: t }) },
              ...(t.status === 'active'
                ? [{ label: 'Rotate Token', onSelect: () => open({ kind: 'rotate', token: t }) }]
                : []),
              { label: 'Revoke Token', danger: true, onSelect: () => open({ kind: 'revoke', token: t }) },
            ],
    ),
  ];
}

/** The Rotate or Revoke dialog of a v0 token, on `path` (`/api/v0/tokens`, `/api/v0/management-tokens`). */
function V0TokenLifecycle<T extends V0Token>({
  open,
  kindLabel,
  path,
  details,
  onClose,
  onDone,
}: {
  open: TokenDialog<T> | undefined;
  kindLabel: string;
  path: string;
  /** What the revoke dialog lists under See more details. */
  details: (token: T) => string[];
  onClose: () => void;
  onDone: () => void;
}) {
  if (open?.kind === 'rotate') {
    return (
      <RotateDialog
        kindLabel={kindLabel}
        description={open.token.description}
        path={`${path}/${encodeURIComponent(open.token.id)}/rotate`}
        onClose={onClose}
        onRotated={onDone}
      />
    );
  }
  if (open?.kind === 'revoke') {
    return (
      <RevokeDialog
        kindLabel={kindLabel}
        description={open.token.description}
        expiresAt={open.token.expiresAt}
        details={details(open.token)}
        onClose={onClose}
        onConfirm={async () => {
          await api.delete(`${path}/${encodeURIComponent(open.token.id)}`);
          onDone();
        }}
      />
    );
  }
  return null;
}
