import { useState } from 'react';
import type { SortState } from '../components/data-table.tsx';

export interface ListState<Open> {
  search: string;
  setSearch: (search: string) => void;
  showInactive: boolean;
  setShowInactive: (show: boolean) => void;
  sort: SortState;
  setSort: (sort: SortState) => void;
  /** The dialog open over the list, if any. */
  open: Open | undefined;
  setOpen: (open: Open | undefined) => void;
  close: () => void;
}

/** What a list page keeps: the search, the Show Inactive toggle, the sort and the dialog it has open. */
export function useListState<Open>(initialSort: SortState): ListState<Open> {
  const [search, setSearch] = useState('');
  const [showInactive, setShowInactive] = useState(false);
  const [sort, setSort] = useState<SortState>(initialSort);
  const [open, setOpen] = useState<Open>();
  return {
    search,
    setSearch,
    showInactive,
    setShowInactive,
    sort,
    setSort,
    open,
    setOpen,
    close: () => setOpen(undefined),
  };
}
