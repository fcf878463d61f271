import type { Permission } from '../api/types.ts';

/** One row of the permission editor: a database (or `*`, All Databases) and its Read/Write toggles. */
export interface PermissionRow {
  key: number;
  database: string;
  read: boolean;
  write: boolean;
}

let nextKey = 1;
export function newRow(database = ''): PermissionRow {
  return { key: nextKey++, database, read: true, write: false };
}

/** Rows from the API's `[{action, resource}]`, one per database; other grants (system:…) are kept aside. */
export function rowsFromPermissions(permissions: readonly Permission[]): {
  rows: PermissionRow[];
  other: Permission[];
} {
  const rows = new Map<string, PermissionRow>();
  const other: Permission[] = [];
  for (const permission of permissions) {
    if (permission.resource.startsWith('system:') || (permission.action !== 'read' && permission.action !== 'write')) {
      other.push(permission);
      continue;
    }
    const row = rows.get(permission.resource) ?? { ...newRow(permission.resource), read: false };
    if (permission.action === 'read') row.read = true;
    else row.write = true;
    rows.set(permission.resource, row);
  }
  return { rows: [...rows.values()], other };
}

export function permissionsFromRows(rows: readonly PermissionRow[]): Permission[] {
  const permissions: Permission[] = [];
  for (const row of rows) {
    if (row.read) permissions.push({ action: 'read', resource: row.database });
    if (row.write) permissions.push({ action: 'write', resource: row.database });
  }
  return permissions;
}

export interface RowProblems {
  database?: string;
  actions?: string;
}

/** What is wrong with each row, by key; an empty map means the rows can be sent. */
export function checkRows(rows: readonly PermissionRow[]): Map<number, RowProblems> {
  const problems = new Map<number, RowProblems>();
  const seen = new Set<string>();
  for (const row of rows) {
    const problem: RowProblems = {};
    if (row.database === '') problem.database = 'Please select a database';
    else if (seen.has(row.database)) problem.database = 'This database is already in another row';
    if (!row.read && !row.write) problem.actions = 'Choose Read, Write or both';
    if (row.database !== '') seen.add(row.database);
    if (problem.database !== undefined || problem.actions !== undefined) problems.set(row.key, problem);
  }
  return problems;
}

/** The databases a token reaches, for the table: `*` reads as All Databases. */
export function databasesOf(permissions: readonly Permission[]): string[] {
  const names: string[] = [];
  for (const permission of permissions) {
    const name = permission.resource === '*' ? 'All Databases' : permission.resource;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}
