import { mayEver } from '../domain/authorization.ts';
import { fail } from '../domain/errors.ts';
import { DB_ACTIONS } from '../domain/permissions.ts';
import type { Principal, SystemPrincipal } from '../domain/principal.ts';
import { sharedParsePool } from '../storage/lineprotocol/parse-pool.ts';
import type { LineError, Precision } from '../storage/lineprotocol/types.ts';
import type { Storage } from '../storage/storage.ts';
import { hasRight, requireRight } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import type { DatabaseOwnership } from './database-ownership.ts';
import { toStorageDatabase } from './database-resolver.ts';
import type { DatabaseService } from './database-service.ts';

export interface WriteRequest {
  database: string;
  /** Line protocol, UTF-8 (already gunzipped). */
  body: Buffer;
  precision: Precision;
  /** InfluxDB 3's accept_partial (default true): store the good lines of a batch with bad ones. */
  acceptPartial: boolean;
  /** InfluxDB 3's no_sync: answer once the points are written to the write-ahead log, before its sync. */
  noSync?: boolean;
}

export interface WriteResult {
  written: number;
  errors: LineError[];
  /** Nothing was stored because `acceptPartial` was false and some line was bad. */
  refusedWhole: boolean;
}

const WRITE = DB_ACTIONS.write;

/**
 * Line-protocol writes: authorize `db:<name>:write`, parse, store durably. A database that does not
 * exist is created by the write only for a token holding `db:*:write` (or admin), as InfluxDB 3 does.
 */
export class WriteService {
  constructor(
    private readonly deps: {
      directory: DatabaseDirectory;
      databases: DatabaseService;
      storage: Storage;
      nowNs: () => bigint;
      /** The server, acting when a write creates its database. */
      server: SystemPrincipal;
      /** Refuses a database whose files another node holds (shared catalog); absent: all are here. */
      ownership?: DatabaseOwnership;
    },
  ) {}

  async write(principal: Principal, request: WriteRequest): Promise<WriteResult> {
    const record = await this.resolve(principal, request.database);
    await this.deps.ownership?.requireHere(record);
    const engine = this.deps.storage.lineProtocol;
    if (engine !== undefined) {
      // An upstream parses the lines itself: forward the client's bytes, authorized, without a second parse here.
      const atomic = !request.acceptPartial;
      const outcome = await engine.write(toStorageDatabase(record), request.body, request.precision, {
        atomic,
        noSync: request.noSync === true,
      });
      return {
        written: outcome.written,
        errors: outcome.rejected,
        refusedWhole: atomic && outcome.rejected.length > 0,
      };
    }
    const parsed = await sharedParsePool().parse(request.body, request.precision);
    if (parsed.errors.length > 0 && !request.acceptPartial) {
      return { written: 0, errors: parsed.errors, refusedWhole: true };
    }
    if (parsed.pointCount === 0) return { written: 0, errors: parsed.errors, refusedWhole: false };
    const outcome = await this.deps.storage.write(toStorageDatabase(record), parsed, this.deps.nowNs(), {
      atomic: !request.acceptPartial,
      noSync: request.noSync === true,
      ...(parsed.errors.length === 0 ? { source: { body: request.body, precision: request.precision } } : {}),
    });
    const errors = [...parsed.errors, ...outcome.rejected].sort((a, b) => a.lineNumber - b.lineNumber);
    return { written: outcome.written, errors, refusedWhole: !request.acceptPartial && errors.length > 0 };
  }

  private async resolve(principal: Principal, name: string) {
    if (name === '') fail('INVALID_INPUT', 'the database parameter is required', { field: 'db' });
    const existing = this.deps.directory.byNameOf(name);
    if (existing !== undefined) {
      requireRight(principal, 'data.write', { kind: 'db', dbId: existing.id, actions: WRITE }, name);
      return existing;
    }
    const anyDatabase = { kind: 'db', dbId: null, actions: WRITE } as const;
    if (!mayEver(principal, 'data.write')) requireRight(principal, 'data.write', anyDatabase, name);
    if (!hasRight(principal, 'data.write', anyDatabase)) {
      fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field: 'db' });
    }
    await this.deps.databases.createDatabaseForWrite(this.deps.server, principal, name);
    const created = this.deps.directory.byNameOf(name);
    if (created === undefined) fail('DATABASE_NOT_FOUND', `database '${name}' not found`, { field: 'db' });
    return created;
  }
}
