import type { Column } from './data-table.tsx';
import { Instant } from './instant.tsx';
import { type MenuItem, RowMenu } from './row-menu.tsx';
import { StatusBadge } from './toolbar.tsx';

/** The columns the list pages share, each built the same way wherever it stands. */

export function statusColumn<T extends { status: string }>({ sortable = true } = {}): Column<T> {
  return {
    key: 'status',
    header: 'Status',
    render: (row) => <StatusBadge status={row.status} />,
    ...(sortable ? { sortValue: (row: T) => row.status } : {}),
  };
}

/** Free text that may wrap (a name, a description), sorted as text. */
export function textColumn<T>(key: string, header: string, text: (row: T) => string): Column<T> {
  return { key, header, className: 'col-wrap', render: text, sortValue: text };
}

/** An id shown as code, sorted by `sortValue` (the id itself by default). */
export function idColumn<T>(
  header: string,
  id: (row: T) => string | number,
  sortValue: (row: T) => string | number = id,
): Column<T> {
  return { key: 'id', header, render: (row) => <code>{id(row)}</code>, sortValue };
}

/** An instant; a row without one sorts as `missing` (0: first when ascending). */
export function instantColumn<T>(
  key: string,
  header: string,
  iso: (row: T) => string | null | undefined,
  { none, missing = 0 }: { none?: string; missing?: number } = {},
): Column<T> {
  return {
    key,
    header,
    render: (row) => <Instant iso={iso(row)} none={none} />,
    sortValue: (row) => {
      const at = iso(row);
      return at === undefined || at === null ? missing : Date.parse(at);
    },
  };
}

/** The row's ⋮ menu; a row with no items (`undefined`) has none. */
export function menuColumn<T>(label: (row: T) => string, items: (row: T) => MenuItem[] | undefined): Column<T> {
  return {
    key: 'menu',
    header: 'Actions',
    className: 'col-menu',
    render: (row) => {
      const menu = items(row);
      return menu === undefined ? null : <RowMenu label={label(row)} items={menu} />;
    },
  };
}
