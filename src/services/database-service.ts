import type { Principal } from '../auth/principal.ts';
import type { Catalog, DatabaseRecord } from '../catalog/catalog.ts';
import { fail, isFluxgateError } from '../domain/errors.ts';
import { validateName } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Storage } from '../storage/storage.ts';
import { auditEntry } from './audit.ts';
import { authorize } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';

export interface DatabaseLimitsConfig {
  maxTables: number;
  maxColumnsPerTable: number;
}

export interface DatabaseServiceDeps {
  catalog: Catalog;
  directory: DatabaseDirectory;
  /** Absent until the data plane is wired; then deleting a database also removes its files. */
  storage?: Storage;
  now: () => number;
  onError: (error: unknown) => void;
  defaults: DatabaseLimitsConfig;
}

export interface DatabaseView {
  id: number;
  name: string;
  createdAt: number;
  retentionPeriodMs: number | null;
  maxTables: number;
  maxColumnsPerTable: number;
}

export interface NewDatabaseInput {
  name: string;
  retentionPeriodMs?: number | null;
  maxTables?: number;
  maxColumnsPerTable?: number;
}

const CREATE = { kind: 'db', dbId: null, actions: DB_ACTIONS.create } as const;

export class DatabaseService {
  constructor(private readonly deps: DatabaseServiceDeps) {}

  /** Needs an admin token or `db:*:create`. */
  async createDatabase(principal: Principal, input: NewDatabaseInput): Promise<DatabaseView> {
    const name = validateName(input.name, 'db');
    await authorize(this.context(), principal, CREATE, 'create_database', { kind: 'database', name });
    const maxTables = positiveInteger(input.maxTables ?? this.deps.defaults.maxTables, 'max_tables');
    const maxColumnsPerTable = positiveInteger(
      input.maxColumnsPerTable ?? this.deps.defaults.maxColumnsPerTable,
      'max_columns_per_table',
    );
    const retentionPeriodMs = input.retentionPeriodMs ?? null;
    if (retentionPeriodMs !== null) positiveInteger(retentionPeriodMs, 'retention_period');
    const now = this.deps.now();
    const record = await this.deps.catalog.createDatabase(
      { name, createdAt: now, maxTables, maxColumnsPerTable, retentionPeriodMs },
      auditEntry(principal, 'create_database', { kind: 'database', name }, now, 'ok', {
        maxTables,
        maxColumnsPerTable,
        retentionPeriodMs,
      }),
    );
    this.deps.directory.put(record);
    return toView(record);
  }

  /**
   * A write to a missing database creates it, for a principal holding `db:*:write` (checked by the
   * WriteService); a concurrent write that created it first is fine.
   */
  async createDatabaseForWrite(principal: Principal, name: string): Promise<void> {
    validateName(name, 'db');
    const now = this.deps.now();
    const { maxTables, maxColumnsPerTable } = this.deps.defaults;
    try {
      const record = await this.deps.catalog.createDatabase(
        { name, createdAt: now, maxTables, maxColumnsPerTable, retentionPeriodMs: null },
        auditEntry(principal, 'create_database', { kind: 'database', name }, now, 'ok', { by: 'write' }),
      );
      this.deps.directory.put(record);
    } catch (error) {
      if (!(isFluxgateError(error) && error.code === 'DATABASE_EXISTS')) throw error;
      const existing = (await this.deps.catalog.listDatabases()).find((db) => db.name === name);
      if (existing !== undefined) this.deps.directory.put(existing);
    }
  }

  /** Every live database the principal holds any right on (all of them for an admin). */
  async listDatabases(principal: Principal): Promise<DatabaseView[]> {
    return this.deps.directory
      .live()
      .filter((db) => this.visible(principal, db))
      .map(toView);
  }

  /** Needs an admin token. Soft-deletes the catalog row (grants keep showing the old name) and removes the data. */
  async deleteDatabase(principal: Principal, name: string): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    await authorize(this.context(), principal, { kind: 'admin' }, 'delete_database', {
      kind: 'database',
      id: record?.id,
      name,
    });
    if (record === undefined) fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field: 'db' });
    const now = this.deps.now();
    await this.deps.catalog.deleteDatabase(
      record.id,
      now,
      auditEntry(principal, 'delete_database', { kind: 'database', id: record.id, name }, now),
    );
    this.deps.directory.put({ ...record, deletedAt: now });
    await this.deps.storage?.drop(record.id);
    return toView(record);
  }

  private visible(principal: Principal, db: DatabaseRecord): boolean {
    if (principal.authority.admin) return true;
    const anyAction = Object.values(DB_ACTIONS);
    return anyAction.some((bit) => principal.authority.allows({ kind: 'db', dbId: db.id, actions: bit }));
  }

  private context() {
    return { catalog: this.deps.catalog, now: this.deps.now, onError: this.deps.onError };
  }
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    fail('INVALID_INPUT', `${field} must be a positive integer`, { field });
  return value;
}

export function toView(record: DatabaseRecord): DatabaseView {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    retentionPeriodMs: record.retentionPeriodMs,
    maxTables: record.maxTables,
    maxColumnsPerTable: record.maxColumnsPerTable,
  };
}
