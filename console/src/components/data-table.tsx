import { type ReactNode, useEffect, useState } from 'react';
import { PageSizeSelect } from './page-size-select.tsx';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** The value sorted on; a column without one cannot be sorted. */
  sortValue?: (row: T) => string | number;
  className?: string;
}

export interface SortState {
  key: string;
  direction: 'ascending' | 'descending';
}

interface DataTableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  sort?: SortState;
  onSort?: (sort: SortState) => void;
  empty: string;
  /**
   * Paging done by the server (a cursor per page): every row given is shown, and this replaces the
   * table's own paginator.
   */
  pager?: ReactNode;
  rowClassName?: (row: T) => string | undefined;
}

const PAGE_SIZES = [10, 25, 50, 100];

/** A table with sortable headers and a paginator; only the page on screen is rendered, so thousands of rows are fine. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  sort,
  onSort,
  empty,
  pager,
  rowClassName,
}: DataTableProps<T>) {
  const [chosenSize, setPageSize] = useState(10);
  const pageSize = pager === undefined ? chosenSize : Math.max(1, rows.length);
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  useEffect(() => {
    if (page >= pages) setPage(pages - 1);
  }, [page, pages]);
  const start = Math.min(page, pages - 1) * pageSize;
  const visible = rows.slice(start, start + pageSize);
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const sorted = sort?.key === column.key ? sort.direction : undefined;
              return (
                <th key={column.key} scope="col" aria-sort={sorted ?? 'none'} className={column.className}>
                  {column.sortValue === undefined || onSort === undefined ? (
                    column.header
                  ) : (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() =>
                        onSort({
                          key: column.key,
                          direction: sorted === 'ascending' ? 'descending' : 'ascending',
                        })
                      }
                    >
                      {column.header}
                      <span aria-hidden="true">
                        {sorted === 'ascending' ? ' ▲' : sorted === 'descending' ? ' ▼' : ''}
                      </span>
                    </button>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {visible.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="table-empty">
                {empty}
              </td>
            </tr>
          ) : (
            visible.map((row) => (
              <tr key={rowKey(row)} className={rowClassName?.(row)}>
                {columns.map((column) => (
                  <td key={column.key} className={column.className} data-label={column.header}>
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {pager ?? (
        <nav className="paginator" aria-label={`${caption} pages`}>
          <PageSizeSelect
            label="Rows per page"
            sizes={PAGE_SIZES}
            value={pageSize}
            onChange={(size) => {
              setPageSize(size);
              setPage(0);
            }}
          />
          <span className="paginator-range" aria-live="polite">
            {rows.length === 0 ? '0 of 0' : `${start + 1}–${start + visible.length} of ${rows.length}`}
          </span>
          <button type="button" className="button-secondary" disabled={start === 0} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <button
            type="button"
            className="button-secondary"
            disabled={start + pageSize >= rows.length}
            onClick={() => setPage(page + 1)}
          >
            Next page
          </button>
        </nav>
      )}
    </div>
  );
}

/** Sorts a copy of rows by the column the sort state names. */
export function sortRows<T>(rows: readonly T[], columns: Column<T>[], sort: SortState | undefined): T[] {
  const column = columns.find((c) => c.key === sort?.key);
  if (sort === undefined || column?.sortValue === undefined) return [...rows];
  const value = column.sortValue;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign;
    return String(x).localeCompare(String(y), 'en', { numeric: true }) * sign;
  });
}
