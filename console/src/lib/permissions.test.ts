import { describe, expect, test } from 'vitest';
import { checkRows, databasesOf, newRow, permissionsFromRows, rowsFromPermissions } from './permissions.ts';

describe('permission rows', () => {
  test('rows round-trip through the API shape, one row per database', () => {
    const permissions = [
      { action: 'read', resource: 'sensors' },
      { action: 'write', resource: 'sensors' },
      { action: 'write', resource: '*' },
    ];
    const { rows, other } = rowsFromPermissions(permissions);
    expect(other).toEqual([]);
    expect(rows.map((r) => [r.database, r.read, r.write])).toEqual([
      ['sensors', true, true],
      ['*', false, true],
    ]);
    expect(permissionsFromRows(rows)).toEqual(permissions);
  });

  test('system grants are kept aside, not turned into rows', () => {
    const { rows, other } = rowsFromPermissions([{ action: 'read', resource: 'system:health' }]);
    expect(rows).toEqual([]);
    expect(other).toEqual([{ action: 'read', resource: 'system:health' }]);
  });

  test('a row needs a database and at least one action; a database appears once', () => {
    const empty = newRow();
    const none = { ...newRow('logs'), read: false, write: false };
    const first = newRow('sensors');
    const again = newRow('sensors');
    const problems = checkRows([empty, none, first, again]);
    expect(problems.get(empty.key)).toEqual({ database: 'Please select a database' });
    expect(problems.get(none.key)).toEqual({ actions: 'Choose Read, Write or both' });
    expect(problems.has(first.key)).toBe(false);
    expect(problems.get(again.key)).toEqual({ database: 'This database is already in another row' });
    expect(checkRows([first]).size).toBe(0);
  });

  test('the table names databases, with * as All Databases', () => {
    expect(
      databasesOf([
        { action: 'read', resource: 'sensors' },
        { action: 'write', resource: 'sensors' },
        { action: 'read', resource: '*' },
      ]),
    ).toEqual(['sensors', 'All Databases']);
  });
});
