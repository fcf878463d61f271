import { describe, expect, test } from 'vitest';
import { idColumn, instantColumn, menuColumn, statusColumn, textColumn } from './columns.tsx';
import { sortRows } from './data-table.tsx';

interface Row {
  id: string;
  status: string;
  description?: string;
  expiresAt?: string | null;
}

const rows: Row[] = [
  { id: '10', status: 'active', description: 'b', expiresAt: '2031-01-15T08:30:00Z' },
  { id: '9', status: 'revoked', description: 'a' },
  { id: '11', status: 'expired', description: 'c', expiresAt: null },
  { id: '2', status: 'active', description: 'd', expiresAt: '2030-06-01T00:00:00Z' },
];
const ids = (sorted: Row[]) => sorted.map((r) => r.id);

describe('the shared list columns', () => {
  test('an instant column sorts by time, a row without one as `missing` (0 unless told)', () => {
    const expires = instantColumn<Row>('expiresAt', 'Expires At', (r) => r.expiresAt);
    expect(ids(sortRows(rows, [expires], { key: 'expiresAt', direction: 'ascending' }))).toEqual([
      '9',
      '11',
      '2',
      '10',
    ]);
    const neverLast = instantColumn<Row>('expiresAt', 'Expires At', (r) => r.expiresAt, {
      missing: Number.MAX_SAFE_INTEGER,
    });
    expect(ids(sortRows(rows, [neverLast], { key: 'expiresAt', direction: 'ascending' }))).toEqual([
      '2',
      '10',
      '9',
      '11',
    ]);
  });

  test('an id column sorts by its sort value: numeric ids as numbers, not as text', () => {
    const asText = idColumn<Row>('Token ID', (r) => r.id);
    const asNumber = idColumn<Row>(
      'Token ID',
      (r) => r.id,
      (r) => Number(r.id),
    );
    expect(ids(sortRows(rows, [asNumber], { key: 'id', direction: 'descending' }))).toEqual(['11', '10', '9', '2']);
    expect(asText.sortValue?.(rows[0] as Row)).toBe('10');
  });

  test('text and status columns sort by their text; a status column can be unsortable', () => {
    const text = textColumn<Row>('description', 'Description', (r) => r.description ?? '');
    expect(text.className).toBe('col-wrap');
    expect(ids(sortRows(rows, [text], { key: 'description', direction: 'descending' }))).toEqual([
      '2',
      '11',
      '10',
      '9',
    ]);
    expect(statusColumn<Row>().sortValue?.(rows[1] as Row)).toBe('revoked');
    expect(statusColumn<Row>({ sortable: false }).sortValue).toBeUndefined();
  });

  test('a menu column renders no menu for a row without items', () => {
    const menu = menuColumn<Row>(
      (r) => `Actions for ${r.id}`,
      (r) => (r.status === 'revoked' ? undefined : [{ label: 'Revoke Token', onSelect: () => {} }]),
    );
    expect(menu.render(rows[1] as Row)).toBeNull();
    expect(menu.render(rows[0] as Row)).not.toBeNull();
    expect(menu.sortValue).toBeUndefined();
  });
});
