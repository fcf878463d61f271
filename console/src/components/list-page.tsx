import type { ReactNode } from 'react';
import { matches } from '../lib/search.ts';
import type { ListState } from '../lib/use-list-state.ts';
import type { Loaded } from '../lib/use-load.ts';
import { type Column, DataTable, sortRows } from './data-table.tsx';
import { ErrorNotice } from './notice.tsx';
import { PageHeader, Toolbar } from './toolbar.tsx';

interface ListPageProps<T> {
  title: string;
  subtitle: string;
  list: Pick<ListState<unknown>, 'search' | 'setSearch' | 'showInactive' | 'setShowInactive' | 'sort' | 'setSort'>;
  loaded: Loaded<T[]>;
  searchPlaceholder: string;
  /** What the search box looks in. */
  searchIn: (row: T) => Array<string | number | null | undefined>;
  /** The label of the toggle that shows inactive rows too; without one the page has no toggle. */
  inactiveLabel?: string;
  /** The rows the toggle hides while it is off (none: the load itself depends on the toggle). */
  inactive?: (row: T) => boolean;
  addLabel: string;
  onAdd: () => void;
  /** A line between the error and the table (progress of a long load). */
  status?: ReactNode;
  caption: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: string;
  /** The dialogs the page opens. */
  children: ReactNode;
}

/**
 * A page that is one list: its header, the search and Show Inactive toolbar, the load's error, and
 * the rows that pass the search and the toggle in a table sorted as the user chose.
 */
export function ListPage<T>(props: ListPageProps<T>) {
  const { list, loaded, inactive } = props;
  const rows = sortRows(
    (loaded.data ?? []).filter(
      (row) =>
        (list.showInactive || inactive === undefined || !inactive(row)) && matches(list.search, ...props.searchIn(row)),
    ),
    props.columns,
    list.sort,
  );
  return (
    <section aria-labelledby="page-title">
      <PageHeader title={props.title} subtitle={props.subtitle} />
      <Toolbar
        search={list.search}
        onSearch={list.setSearch}
        searchPlaceholder={props.searchPlaceholder}
        inactiveLabel={props.inactiveLabel}
        showInactive={list.showInactive}
        onShowInactive={props.inactiveLabel === undefined ? undefined : list.setShowInactive}
        addLabel={props.addLabel}
        onAdd={props.onAdd}
      />
      <ErrorNotice error={loaded.error} />
      {props.status}
      <DataTable
        caption={props.caption}
        columns={props.columns}
        rows={rows}
        rowKey={props.rowKey}
        sort={list.sort}
        onSort={list.setSort}
        empty={props.empty}
      />
      {props.children}
    </section>
  );
}
