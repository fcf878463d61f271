import type { AuditEntry, Catalog, DatabasePatch, DatabaseRecord, NewDatabase } from '../catalog/catalog.ts';
import { seesDatabase } from '../domain/authorization.ts';
import { toRfc3339 } from '../domain/durations.ts';
import { FluxgateError, fail, isFluxgateError } from '../domain/errors.ts';
import { validateDatabaseName } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Principal, SystemPrincipal } from '../domain/principal.ts';
import type { Storage } from '../storage/storage.ts';
import { type AuditTarget, auditEntry } from './audit.ts';
import { type Authorizer, hasRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import {
  type DatabaseLimitsConfig,
  type DatabaseView,
  limitOrDefault,
  type RetentionInput,
  retentionFromInput,
  retentionMs,
  toView as viewOf,
} from './database-input.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';

export type { DatabaseLimitsConfig, DatabaseView } from './database-input.ts';
export { toView } from './database-input.ts';

export const DEFAULT_RECOVERY_WINDOW_MS = 7 * 86_400_000;

export interface DatabaseServiceDeps {
  catalog: Catalog;
  directory: DatabaseDirectory;
  /** Absent until the data plane is wired; then a delete closes the database and a purge removes its files. */
  storage?: Storage;
  authorizer: Authorizer;
  now: () => number;
  defaults: DatabaseLimitsConfig;
  /** How long a deleted database can be undeleted before its files go (`serve --database-recovery-window`). */
  recoveryWindowMs?: number;
  /** `--max-databases`: live databases at most; absent for no limit. */
  maxDatabases?: number;
  /** The owner a database created here is recorded with (this node, on a shared catalog). */
  ownership?: DatabaseOwnership;
}

/**
 * What each face calls the fields in its errors: the v3 API's snake_case by default, the v0 API passes
 * its camelCase.
 */
export interface FieldNames {
  /** The field naming an existing database (a path parameter in v0). */
  target: string;
  /** The field giving a database its (new) name. */
  name: string;
  maxTables: string;
  maxColumnsPerTable: string;
  retentionPeriod: string;
}

const V3_FIELDS: FieldNames = {
  target: 'db',
  name: 'db',
  maxTables: 'max_tables',
  maxColumnsPerTable: 'max_columns_per_table',
  retentionPeriod: 'retention_period',
};

export interface NewDatabaseInput {
  name: string;
  /** Milliseconds; null, 0 or absent keeps data forever. */
  retentionPeriodMs?: number | null;
  /** Instead of `retentionPeriodMs`: the period as the face received it. */
  retentionPeriod?: RetentionInput;
  /** 0 or absent: the server's default. */
  maxTables?: number;
  maxColumnsPerTable?: number;
}

export interface DatabaseChanges {
  retentionPeriodMs?: number | null;
  /** Instead of `retentionPeriodMs`: the period as the face received it. */
  retentionPeriod?: RetentionInput;
  maxTables?: number;
  maxColumnsPerTable?: number;
}

export type DatabaseStatusFilter = 'active' | 'deleted';

const CREATE = { kind: 'db', dbId: null, actions: DB_ACTIONS.create } as const;

export class DatabaseService {
  private readonly recoveryWindowMs: number;
  /** Purged databases whose files this node has removed since it started. */
  private readonly filesRemoved = new Set<number>();

  private get ownerForNew(): string | null {
    return this.deps.ownership?.ownerForNew ?? null;
  }

  constructor(private readonly deps: DatabaseServiceDeps) {
    this.recoveryWindowMs = deps.recoveryWindowMs ?? DEFAULT_RECOVERY_WINDOW_MS;
  }

  /** Needs what the matrix says for `database.create` (an admin token, the Admin role, or `db:*:create`). */
  async createDatabase(
    principal: Principal,
    input: NewDatabaseInput,
    fields: FieldNames = V3_FIELDS,
  ): Promise<DatabaseView> {
    const target: AuditTarget = { kind: 'database', name: input.name };
    return this.deps.authorizer.attempt(principal, 'database.create', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.create', target, CREATE);
      const name = validateDatabaseName(input.name, fields.name);
      const { defaults } = this.deps;
      const maxTables = limitOrDefault(input.maxTables, defaults.maxTables, fields.maxTables);
      const maxColumnsPerTable = limitOrDefault(
        input.maxColumnsPerTable,
        defaults.maxColumnsPerTable,
        fields.maxColumnsPerTable,
      );
      const retentionPeriodMs = retentionMs(
        input.retentionPeriod === undefined
          ? input.retentionPeriodMs
          : retentionFromInput(input.retentionPeriod, fields.retentionPeriod),
        fields.retentionPeriod,
      );
      this.assertRoomFor(name);
      const now = this.deps.now();
      const record = await this.insertDatabase(
        { name, createdAt: now, maxTables, maxColumnsPerTable, retentionPeriodMs, ownerNode: this.ownerForNew },
        auditEntry(principal, 'database.create', { kind: 'database', name }, now, 'ok', {
          maxTables,
          maxColumnsPerTable,
          retentionPeriodMs,
        }),
      );
      this.deps.directory.put(record);
      // An upstream engine creates its own (a gateway); a failure leaves the catalog's database, which its first write or query creates upstream.
      await this.deps.storage?.create(toStorageDatabase(record));
      return this.view(record);
    });
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
    validateDatabaseName(name, 'db');
    this.assertRoomFor(name);
    const now = this.deps.now();
    const { maxTables, maxColumnsPerTable } = this.deps.defaults;
    try {
      const record = await this.insertDatabase(
        { name, createdAt: now, maxTables, maxColumnsPerTable, retentionPeriodMs: null, ownerNode: this.ownerForNew },
        auditEntry(principal, 'database.create', { kind: 'database', name }, now, 'ok', { by: 'write' }),
      );
      this.deps.directory.put(record);
    } catch (error) {
      if (!(isFluxgateError(error) && error.code === 'DATABASE_EXISTS')) throw error;
      const existing = (await this.deps.catalog.listDatabases()).find((db) => db.name === name);
      if (existing !== undefined) this.deps.directory.put(existing);
    }
  }

  /**
   * Refuses a new database past `--max-databases` (a name that exists gets its own answer later). This
   * node's directory answers at once; the catalog counts again in the creating transaction (`maxLive`),
   * which is what holds when several nodes, or concurrent requests, create at the same moment.
   */
  private assertRoomFor(name: string, verb = 'create'): void {
    const max = this.deps.maxDatabases;
    if (max === undefined) return;
    const live = this.deps.directory.live();
    if (live.length < max || live.some((db) => db.name === name)) return;
    throw limitReached(name, max, verb);
  }

  /** The catalog's create, with the limit counted in its transaction and named by the flag. */
  private async insertDatabase(input: NewDatabase, audit: AuditEntry): Promise<DatabaseRecord> {
    const max = this.deps.maxDatabases;
    try {
      return await this.deps.catalog.createDatabase(max === undefined ? input : { ...input, maxLive: max }, audit);
    } catch (error) {
      if (max !== undefined && isFluxgateError(error) && error.code === 'DATABASE_LIMIT_REACHED') {
        throw limitReached(input.name, max);
      }
      throw error;
    }
  }

  /**
   * The live databases (by name) the principal may see: all of them, or for a database token those it
   * holds a grant on. `deleted`: those deleted and still in their recovery window, by name.
   */
  async listDatabases(principal: Principal, status: DatabaseStatusFilter = 'active'): Promise<DatabaseView[]> {
    await this.deps.authorizer.authorize(principal, 'database.list', { kind: 'database' });
    const now = this.deps.now();
    const records =
      status === 'active'
        ? this.deps.directory.live()
        : this.deps.directory
            .deleted()
            .filter((db) => this.recoverable(db, now))
            .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    return records.filter((db) => seesDatabase(principal, db.id)).map((db) => this.view(db));
  }

  /** One live database by name; a database token sees only those it holds a grant on (others are 404). */
  async getDatabase(principal: Principal, name: string, fields: FieldNames = V3_FIELDS): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    await this.deps.authorizer.authorize(principal, 'database.get', { kind: 'database', id: record?.id, name });
    if (record === undefined || !seesDatabase(principal, record.id)) throw notFound(name, fields.target);
    return this.view(record);
  }

  /** Changes the limits or the retention period of a live database; at least one must be given. */
  async updateDatabase(
    principal: Principal,
    name: string,
    changes: DatabaseChanges,
    fields: FieldNames = V3_FIELDS,
  ): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    const target: AuditTarget = { kind: 'database', id: record?.id, name };
    return this.deps.authorizer.attempt(principal, 'database.update', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.update', target);
      const patch = this.patchOf(changes, fields);
      if (record === undefined) throw notFound(name, fields.target);
      const now = this.deps.now();
      const updated = await this.deps.catalog.updateDatabase(
        record.id,
        patch,
        auditEntry(principal, 'database.update', { kind: 'database', id: record.id, name }, now, 'ok', { ...patch }),
      );
      this.deps.directory.put(updated);
      return this.view(updated);
    });
  }

  /** Gives a live database a new name; its id, data and every grant on it stay. */
  async renameDatabase(
    principal: Principal,
    name: string,
    newName: string,
    fields: FieldNames = V3_FIELDS,
  ): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    const target: AuditTarget = { kind: 'database', id: record?.id, name };
    return this.deps.authorizer.attempt(principal, 'database.rename', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.rename', target);
      const to = validateDatabaseName(newName, fields.name);
      if (record === undefined) throw notFound(name, fields.target);
      if (to === record.name) {
        fail('DATABASE_EXISTS', `database '${name}' already has the name '${to}'`, { field: fields.name, name: to });
      }
      const now = this.deps.now();
      const renamed = await this.deps.catalog.updateDatabase(
        record.id,
        { name: to },
        auditEntry(principal, 'database.rename', { kind: 'database', id: record.id, name }, now, 'ok', {
          from: name,
          to,
        }),
      );
      this.deps.directory.put(renamed);
      return this.view(renamed);
    });
  }

  /**
   * Soft delete: the database stops answering at once and its name is free; its files stay for the
   * recovery window, when `undeleteDatabase` can bring it back.
   */
  async deleteDatabase(principal: Principal, name: string, fields: FieldNames = V3_FIELDS): Promise<DatabaseView> {
    const record = this.deps.directory.byNameOf(name);
    const target: AuditTarget = { kind: 'database', id: record?.id, name };
    return this.deps.authorizer.attempt(principal, 'database.delete', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.delete', target);
      if (record === undefined) throw notFound(name, fields.target);
      const now = this.deps.now();
      await this.deps.catalog.deleteDatabase(
        record.id,
        now,
        auditEntry(principal, 'database.delete', { kind: 'database', id: record.id, name }, now, 'ok', {
          purgeAt: toRfc3339(now + this.recoveryWindowMs),
        }),
      );
      const deleted = { ...record, deletedAt: now };
      this.deps.directory.put(deleted);
      await this.deps.storage?.release(record.id);
      return this.view(deleted);
    });
  }

  /**
   * Brings a deleted database back, by id, with its data and grants: 404 once its recovery window
   * ended, 409 when a live database has its name (or it is not deleted).
   */
  async undeleteDatabase(principal: Principal, id: number): Promise<DatabaseView> {
    const known = this.deps.directory.byIdOf(id);
    const target: AuditTarget = { kind: 'database', id, name: known?.name };
    return this.deps.authorizer.attempt(principal, 'database.undelete', target, async () => {
      await this.deps.authorizer.authorize(principal, 'database.undelete', target);
      // The catalog, not this node's directory: another node may have purged or undeleted it.
      const record = await this.deps.catalog.getDatabase(id);
      if (record === undefined) fail('DATABASE_NOT_FOUND', `no database has the id ${id}`, { field: 'databaseId' });
      target.name = record.name;
      const now = this.deps.now();
      this.assertUndeletable(record, now);
      // An undeleted database counts against --max-databases like a new one: this node's directory
      // answers at once, the catalog counts again in the undeleting transaction (as on create).
      this.assertRoomFor(record.name, 'undelete');
      const max = this.deps.maxDatabases;
      let back: DatabaseRecord;
      try {
        back = await this.deps.catalog.undeleteDatabase(
          id,
          auditEntry(principal, 'database.undelete', { kind: 'database', id, name: record.name }, now, 'ok', {
            deletedAt: toRfc3339(record.deletedAt),
          }),
          max === undefined ? {} : { maxLive: max },
        );
      } catch (error) {
        if (max !== undefined && isFluxgateError(error) && error.code === 'DATABASE_LIMIT_REACHED') {
          throw limitReached(record.name, max, 'undelete');
        }
        throw error;
      }
      this.deps.directory.put(back);
      return this.view(back);
    });
  }

  /**
   * Server only: purges every deleted database whose recovery window has ended (audited as
   * `database.purge`) and removes the files of purged ones. Returns how many it purged.
   */
  async purgeExpired(server: SystemPrincipal): Promise<number> {
    let purged = 0;
    for (const record of this.deps.directory.deleted()) {
      let current: DatabaseRecord | undefined = record;
      if (record.purgedAt === null) {
        const now = this.deps.now();
        if (this.recoverable(record, now)) continue;
        const target = { kind: 'database', id: record.id, name: record.name } as const;
        await this.deps.authorizer.authorize(server, 'database.purge', target);
        try {
          await this.deps.catalog.purgeDatabase(
            record.id,
            now,
            auditEntry(server, 'database.purge', target, now, 'ok', { deletedAt: toRfc3339(record.deletedAt) }),
          );
          purged++;
        } catch (error) {
          // Another node purged it first, or it was undeleted meanwhile: the catalog says which.
          if (!(isFluxgateError(error) && error.code === 'DATABASE_NOT_FOUND')) throw error;
        }
        current = await this.deps.catalog.getDatabase(record.id);
        if (current !== undefined) this.deps.directory.put(current);
      }
      if (current?.purgedAt == null || this.filesRemoved.has(record.id)) continue;
      await this.deps.storage?.drop(record.id);
      this.filesRemoved.add(record.id);
    }
    return purged;
  }

  private assertUndeletable(record: DatabaseRecord, now: number): void {
    const { id, name } = record;
    if (record.deletedAt === null) {
      fail('DATABASE_EXISTS', `database '${name}' (id ${id}) is not deleted`, { field: 'databaseId', name });
    }
    if (!this.recoverable(record, now)) {
      const ended = toRfc3339(record.purgedAt ?? record.deletedAt + this.recoveryWindowMs);
      fail(
        'DATABASE_NOT_FOUND',
        `database '${name}' (id ${id}) was deleted at ${toRfc3339(record.deletedAt)} and its recovery window ended at ${ended}: its files are gone`,
        { field: 'databaseId' },
      );
    }
    const holder = this.deps.directory.byNameOf(name);
    if (holder !== undefined && holder.id !== id) {
      fail(
        'DATABASE_EXISTS',
        `database '${name}' (id ${id}) cannot be undeleted: a live database (id ${holder.id}) has taken the name; rename or delete that one first`,
        { field: 'databaseId', name },
      );
    }
  }

  private recoverable(record: DatabaseRecord, now: number): boolean {
    return record.deletedAt !== null && record.purgedAt === null && now < record.deletedAt + this.recoveryWindowMs;
  }

  private patchOf(changes: DatabaseChanges, fields: FieldNames): DatabasePatch {
    const patch: DatabasePatch = {};
    const { defaults } = this.deps;
    if (changes.maxTables !== undefined) {
      patch.maxTables = limitOrDefault(changes.maxTables, defaults.maxTables, fields.maxTables);
    }
    if (changes.maxColumnsPerTable !== undefined) {
      patch.maxColumnsPerTable = limitOrDefault(
        changes.maxColumnsPerTable,
        defaults.maxColumnsPerTable,
        fields.maxColumnsPerTable,
      );
    }
    if (changes.retentionPeriod !== undefined) {
      patch.retentionPeriodMs = retentionFromInput(changes.retentionPeriod, fields.retentionPeriod);
    } else if (changes.retentionPeriodMs !== undefined) {
      patch.retentionPeriodMs = retentionMs(changes.retentionPeriodMs, fields.retentionPeriod);
    }
    if (Object.keys(patch).length === 0) {
      fail(
        'INVALID_INPUT',
        `give at least one of ${fields.maxTables}, ${fields.maxColumnsPerTable} or ${fields.retentionPeriod}`,
      );
    }
    return patch;
  }

  private view(record: DatabaseRecord): DatabaseView {
    return viewOf(record, this.recoveryWindowMs);
  }
}

function notFound(name: string, field: string): never {
  fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field });
}

function limitReached(name: string, max: number, verb = 'create'): FluxgateError {
  return new FluxgateError(
    'DATABASE_LIMIT_REACHED',
    `cannot ${verb} database '${name}': this server holds at most ${max} databases (--max-databases)`,
    { field: '--max-databases', limit: max },
  );
}
