import type { UsageTracker } from '../auth/usage-tracker.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { mayEver } from '../domain/authorization.ts';
import { fail } from '../domain/errors.ts';
import { INTERNAL_DATABASE } from '../domain/names.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Principal } from '../domain/principal.ts';
import type { MeasurementSchema, QueryResult, Storage } from '../storage/storage.ts';
import { requireRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import { toStorageDatabase } from './database-resolver.ts';
import { systemTokensTable } from './system-tokens-table.ts';

export interface QueryRequest {
  database: string;
  sql: string;
  params?: Record<string, unknown>;
}

const READ = DB_ACTIONS.read;

/**
 * SQL over one database, for a principal holding `db:<name>:read`. `_internal` serves the system
 * tables (`system.tokens`) to admin tokens only, so InfluxDB 3's own `SELECT * FROM system.tokens` works.
 */
export class QueryService {
  constructor(
    private readonly deps: {
      catalog: Catalog;
      directory: DatabaseDirectory;
      storage: Storage;
      usage: UsageTracker;
      now: () => number;
    },
  ) {}

  async query(principal: Principal, request: QueryRequest): Promise<QueryResult> {
    if (request.database === '') fail('INVALID_INPUT', 'the db parameter is required', { field: 'db' });
    if (request.sql.trim() === '') fail('INVALID_INPUT', 'the q parameter (the SQL query) is required', { field: 'q' });
    if (request.database === INTERNAL_DATABASE) return this.queryInternal(principal, request);
    const record = this.deps.directory.byNameOf(request.database);
    if (record === undefined) {
      const any = { kind: 'db', dbId: null, actions: READ } as const;
      if (!mayEver(principal, 'data.query')) requireRight(principal, 'data.query', any, request.database);
      fail('DATABASE_NOT_FOUND', `database '${request.database}' not found`, { field: 'db' });
    }
    requireRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }, record.name);
    return this.deps.storage.query(toStorageDatabase(record), request.sql, request.params);
  }

  /**
   * The measurements of a database the principal may read, as `query` would see them: for faces
   * that describe a result's columns (Flight marks tag columns), never for deciding anything.
   */
  async schema(principal: Principal, database: string): Promise<MeasurementSchema[]> {
    if (database === INTERNAL_DATABASE) {
      requireRight(principal, 'data.query', { kind: 'admin' }, INTERNAL_DATABASE);
      return [];
    }
    const record = this.deps.directory.byNameOf(database);
    if (record === undefined) fail('DATABASE_NOT_FOUND', `database '${database}' not found`, { field: 'db' });
    requireRight(principal, 'data.query', { kind: 'db', dbId: record.id, actions: READ }, record.name);
    return this.deps.storage.schema(toStorageDatabase(record));
  }

  private async queryInternal(principal: Principal, request: QueryRequest): Promise<QueryResult> {
    requireRight(principal, 'data.query', { kind: 'admin' }, INTERNAL_DATABASE);
    const tokens = await this.deps.catalog.listTokens({ includeRevoked: true });
    const table = systemTokensTable(
      tokens,
      this.deps.now(),
      (id) => this.deps.directory.nameOf(id),
      (id) => this.deps.usage.pendingFor(id),
    );
    return this.deps.storage.queryVirtual([table], request.sql, request.params);
  }
}
