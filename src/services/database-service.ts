import type { Catalog, DatabaseRecord } from '../catalog/catalog.ts';
import { seesDatabase } from '../domain/authorization.ts';
import { fail, isFluxgateError } from '../domain/errors.ts';
import { validateName } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Principal, SystemPrincipal } from '../domain/principal.ts';
import type { Storage } from '../storage/storage.ts';
import { type AuditTarget, auditEntry } from './audit.ts';
import { type Authorizer, hasRight } from './authorize.ts';
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
  authorizer: Authorizer;
  now: () => number;
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

  /** Needs what the matrix says for `database.create` (an admin token, the Admin role, or `db:*:create`). */
  async createDatabase(principal: Principal, input: NewDatabaseInput): Promise<DatabaseView> {
    const target: AuditTarget = { kind: 'database', name: input.name };
    return this.deps.authorizer.attempt(principal, 'database.create', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.create', target, CREATE);
      return this.create(principal, input);
    });
  }

  private async create(principal: Principal, input: NewDatabaseInput): Promise<DatabaseView> {
    const name = validateName(input.name, 'db');
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
      auditEntry(principal, 'database.create', { kind: 'database', name }, now, 'ok', {
        maxTables,
        maxColumnsPerTable,
        retentionPeriodMs,
      }),
    );
    this.deps.directory.put(record);
    return toView(record);
  }

  /**
   * Server only: a write to a missing database creates it, for a writer holding `db:*:write` (checked
   * again here); a concurrent write that created it first is fine. Audited under the writer's name.
   */
  async createDatabaseForWrite(_server: SystemPrincipal, writer: Principal, name: string): Promise<void> {
    if (!hasRight(writer, 'data.write', { kind: 'db', dbId: null, actions: DB_ACTIONS.write })) {
      fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field: 'db' });
    }
    const principal = writer;
    validateName(name, 'db');
    const now = this.deps.now();
    const { maxTables, maxColumnsPerTable } = this.deps.defaults;
    try {
      const record = await this.deps.catalog.createDatabase(
        { name, createdAt: now, maxTables, maxColumnsPerTable, retentionPeriodMs: null },
        auditEntry(principal, 'database.create', { kind: 'database', name }, now, 'ok', { by: 'write' }),
      );
      this.deps.directory.put(record);
    } catch (error) {
      if (!(isFluxgateError(error) && error.code === 'DATABASE_EXISTS')) throw error;
      const existing = (await this.deps.catalog.listDatabases()).find((db) => db.name === name);
      if (existing !== undefined) this.deps.directory.put(existing);
    }
  }

  /** Every live database the principal may see: all of them, or for a database token those it holds a grant on. */
  async listDatabases(principal: Principal): Promise<DatabaseView[]> {
    await this.deps.authorizer.authorize(principal, 'database.list', { kind: 'database' });
    return this.deps.directory
      .live()
      .filter((db) => seesDatabase(principal, db.id))
      .map(toView);
  }

  /** Soft-deletes the catalog row (grants keep showing the old name) and removes the data. */
  async deleteDatabase(principal: Principal, name: string): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    const target: AuditTarget = { kind: 'database', id: record?.id, name };
    return this.deps.authorizer.attempt(principal, 'database.delete', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.delete', target);
      if (record === undefined) fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field: 'db' });
      const now = this.deps.now();
      await this.deps.catalog.deleteDatabase(
        record.id,
        now,
        auditEntry(principal, 'database.delete', { kind: 'database', id: record.id, name }, now),
      );
      this.deps.directory.put({ ...record, deletedAt: now });
      await this.deps.storage?.drop(record.id);
      return toView(record);
    });
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
