import { type Kysely, sql, type Transaction } from 'kysely';
import { isFluxgateError } from '../domain/errors.ts';
import type { Grant } from '../domain/permissions.ts';
import { commitTogetherOrAlone, GroupCommitQueue } from '../support/group-commit-queue.ts';
import { appendAuditRows, listAuditRows, pruneAuditRows, verifyAuditChain } from './audit-rows.ts';
import type {
  AuditEntry,
  AuditQuery,
  AuditRecord,
  AuditVerification,
  Catalog,
  CatalogChange,
  ClusterIdentity,
  DatabasePatch,
  DatabaseRecord,
  NewDatabase,
  NewToken,
  NewUser,
  NodeRecord,
  TokenPatch,
  TokenRecord,
  TokenSecret,
  TokenWithSecrets,
  UserPatch,
  UserRecord,
} from './catalog.ts';
import type { CatalogDialect } from './catalog-dialect.ts';
import {
  type ClaimedValues,
  conflictError,
  databaseLimitReached,
  databaseNotFound,
  tokenNotFound,
} from './catalog-errors.ts';
import { claimClusterIdentity } from './cluster-identity-rows.ts';
import { type DatabaseFinisher, purgeDatabaseRow, undeleteDatabaseRow } from './database-recovery.ts';
import { heartbeatNode, listNodes, removeNode } from './node-rows.ts';
import { databaseChanges, tokenChanges } from './patch-columns.ts';
import { toCatalogChange, toDatabaseRecord, toTokenRecord, toTokenSecret } from './records.ts';
import { deleteRetiredSecrets } from './retired-secrets.ts';
import type { CatalogSchema } from './schema.ts';
import { grantsOf, groupBy, insertGrants, withGrants } from './token-grants.ts';
import { insertTokens, type TokenCreate } from './token-inserts.ts';
import { insertOrRevive, recordLastSeen, toUserRecord, userChanges, userNotFound } from './user-rows.ts';

type Trx = Transaction<CatalogSchema>;
type Entity = 'token' | 'database' | 'user';

/** A committed change: its audit record and the entity the change feed names. */
interface FinishedChange {
  audit: AuditEntry;
  entity: Entity;
  id: number;
  at: number;
}

/**
 * Token creates per group commit: enough to amortize a commit over a burst of concurrent requests,
 * few enough that no statement nears a parameter limit (the audit rows take ten each).
 */
const MAX_CREATES_PER_COMMIT = 64;

/** The PostgreSQL advisory lock key that serializes database creates (any constant our own). */
const DATABASE_CREATE_LOCK = 0x666c7864;

/** Entries per `recordLastUsed` statement: two parameters each, far below every dialect's limit. */
const LAST_USED_CHUNK = 500;

/**
 * The Catalog on Kysely, shared by the SQLite and PostgreSQL adapters. Each mutation is one
 * transaction holding the change, its audit row and its change-feed row; concurrent token creates
 * share one transaction (a group commit).
 */
export class KyselyCatalog implements Catalog {
  readonly dialect: Catalog['dialect'];
  readonly #parts: CatalogDialect;
  readonly #db: Kysely<CatalogSchema>;
  readonly #tokenCreates = new GroupCommitQueue<TokenCreate, TokenRecord>({
    processGroup: (creates) =>
      commitTogetherOrAlone(creates, (group) => this.#createTokens(group), isSecretOrNameClash),
    maxGroupWeight: MAX_CREATES_PER_COMMIT,
    gatherTurn: true,
  });
  #closing: Promise<void> | undefined;

  constructor(parts: CatalogDialect) {
    this.dialect = parts.name;
    this.#parts = parts;
    this.#db = parts.db;
  }

  async listDatabases(options: { includeDeleted?: boolean } = {}): Promise<DatabaseRecord[]> {
    let query = this.#db.selectFrom('databases').selectAll().orderBy('id');
    if (!options.includeDeleted) query = query.where('deleted_at', 'is', null);
    return (await query.execute()).map(toDatabaseRecord);
  }

  async getDatabase(id: number): Promise<DatabaseRecord | undefined> {
    const row = await this.#db.selectFrom('databases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDatabaseRecord(row);
  }

  createDatabase(input: NewDatabase, audit: AuditEntry): Promise<DatabaseRecord> {
    return this.#mutate({ databaseName: input.name }, async (trx) => {
      if (input.maxLive !== undefined) await this.#assertRoomFor(trx, input.name, input.maxLive);
      const row = await trx
        .insertInto('databases')
        .values({
          name: input.name,
          created_at: input.createdAt,
          deleted_at: null,
          max_tables: input.maxTables,
          max_columns_per_table: input.maxColumnsPerTable,
          retention_period_ms: input.retentionPeriodMs,
          owner_node: input.ownerNode ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // In the same transaction: a name some earlier database (deleted, or renamed away) used
      // upstream is never handed out again, so a re-created name cannot reach the old data.
      const used = await trx
        .selectFrom('databases')
        .select('id')
        .where('upstream_name', '=', input.name)
        .executeTakeFirst();
      const named = await trx
        .updateTable('databases')
        .set({ upstream_name: used === undefined ? input.name : freshUpstreamName(input.name, row.id) })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.#finish(trx, audit, 'database', row.id, input.createdAt);
      return toDatabaseRecord(named);
    });
  }

  updateDatabase(id: number, patch: DatabasePatch, audit: AuditEntry): Promise<DatabaseRecord> {
    return this.#mutate({ databaseName: patch.name }, async (trx) => {
      const row = await trx
        .updateTable('databases')
        .set(databaseChanges(patch))
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw databaseNotFound(id);
      await this.#finish(trx, audit, 'database', id, audit.at);
      return toDatabaseRecord(row);
    });
  }

  deleteDatabase(id: number, at: number, audit: AuditEntry): Promise<void> {
    return this.#mutate({}, async (trx) => {
      const row = await trx
        .updateTable('databases')
        .set({ deleted_at: at })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row === undefined) throw databaseNotFound(id);
      await this.#finish(trx, audit, 'database', id, at);
    });
  }

  async undeleteDatabase(id: number, audit: AuditEntry, options: { maxLive?: number } = {}): Promise<DatabaseRecord> {
    const found = await this.getDatabase(id);
    const { maxLive } = options;
    return this.#mutate({ databaseName: found?.name }, async (trx) => {
      if (maxLive !== undefined) {
        // The name as the row holds it now, read under the lock #assertRoomFor takes.
        await this.#assertRoomFor(trx, found?.name ?? '', maxLive, 'undelete', id);
      }
      return undeleteDatabaseRow(trx, id, audit, this.#finisher(trx));
    });
  }

  purgeDatabase(id: number, at: number, audit: AuditEntry): Promise<void> {
    return this.#mutate({}, (trx) => purgeDatabaseRow(trx, id, at, audit, this.#finisher(trx)));
  }

  createToken(input: NewToken, secretHash: string, audit: AuditEntry): Promise<TokenRecord> {
    return this.#tokenCreates.submit({ input, secretHash, audit });
  }

  /** Creates tokens in one transaction; a clash names the token only when there is one to name. */
  #createTokens(creates: readonly TokenCreate[]): Promise<TokenRecord[]> {
    const claimed = creates.length === 1 ? { tokenName: creates[0]?.input.name } : {};
    return this.#mutate(claimed, async (trx) => {
      const records = await insertTokens(trx, creates);
      await this.#finishAll(
        trx,
        records.map((record, i) => ({
          audit: (creates[i] as TokenCreate).audit,
          entity: 'token',
          id: record.id,
          at: record.createdAt,
        })),
      );
      return records;
    });
  }

  async getToken(id: number): Promise<TokenRecord | undefined> {
    const row = await this.#db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTokenRecord(row, await grantsOf(this.#db, id));
  }

  async findTokenByName(name: string): Promise<TokenRecord | undefined> {
    const row = await this.#db
      .selectFrom('tokens')
      .selectAll()
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toTokenRecord(row, await grantsOf(this.#db, row.id));
  }

  async findTokenByHash(hash: string): Promise<{ token: TokenRecord; secret: TokenSecret } | undefined> {
    const row = await this.#db
      .selectFrom('token_secrets')
      .innerJoin('tokens', 'tokens.id', 'token_secrets.token_id')
      .selectAll('tokens')
      .select(['token_secrets.hash', 'token_secrets.retires_at'])
      .where('token_secrets.hash', '=', hash)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const { hash: found, retires_at, ...token } = row;
    return {
      token: toTokenRecord(token, await grantsOf(this.#db, token.id)),
      secret: { hash: found, tokenId: token.id, retiresAt: retires_at },
    };
  }

  async listTokens(options: { includeRevoked?: boolean } = {}): Promise<TokenRecord[]> {
    let query = this.#db.selectFrom('tokens').selectAll().orderBy('id');
    if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
    return withGrants(this.#db, await query.execute());
  }

  async loadTokens(afterId: number, limit: number, now: number): Promise<TokenWithSecrets[]> {
    const rows = await this.#db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '>', afterId)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    const first = rows[0];
    const last = rows.at(-1);
    if (first === undefined || last === undefined) return [];
    const tokens = await withGrants(this.#db, rows);
    const secrets = await this.#db
      .selectFrom('token_secrets')
      .selectAll()
      .where('token_id', '>=', first.id)
      .where('token_id', '<=', last.id)
      .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', now)]))
      .orderBy('token_id')
      .execute();
    const byToken = groupBy(secrets, (row) => row.token_id);
    return tokens.map((token) => ({ token, secrets: (byToken.get(token.id) ?? []).map(toTokenSecret) }));
  }

  async loadTokensById(ids: readonly number[], now: number): Promise<TokenWithSecrets[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db
      .selectFrom('tokens')
      .selectAll()
      .where('id', 'in', [...ids])
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute();
    if (rows.length === 0) return [];
    const tokens = await withGrants(this.#db, rows);
    const secrets = await this.#db
      .selectFrom('token_secrets')
      .selectAll()
      .where(
        'token_id',
        'in',
        rows.map((row) => row.id),
      )
      .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', now)]))
      .orderBy('token_id')
      .execute();
    const byToken = groupBy(secrets, (row) => row.token_id);
    return tokens.map((token) => ({ token, secrets: (byToken.get(token.id) ?? []).map(toTokenSecret) }));
  }

  async getTokenSecrets(tokenId: number, now: number): Promise<TokenSecret[]> {
    const rows = await this.#db
      .selectFrom('token_secrets')
      .innerJoin('tokens', 'tokens.id', 'token_secrets.token_id')
      .selectAll('token_secrets')
      .where('token_secrets.token_id', '=', tokenId)
      .where('tokens.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('token_secrets.retires_at', 'is', null), eb('token_secrets.retires_at', '>', now)]))
      .orderBy('token_secrets.hash')
      .execute();
    return rows.map(toTokenSecret);
  }

  async loadRevokedHashes(limit: number, now: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('token_secrets')
      .innerJoin('tokens', 'tokens.id', 'token_secrets.token_id')
      .select('token_secrets.hash')
      .where((eb) => eb.or([eb('tokens.revoked_at', 'is not', null), eb('token_secrets.retires_at', '<=', now)]))
      .orderBy('tokens.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => row.hash);
  }

  updateToken(id: number, patch: TokenPatch, at: number, by: number | null, audit: AuditEntry): Promise<TokenRecord> {
    return this.#mutate({ tokenName: patch.name }, async (trx) => {
      const row = await trx
        .updateTable('tokens')
        .set({ ...tokenChanges(patch), updated_at: at, updated_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw tokenNotFound(id);
      let grants: Grant[];
      if (patch.grants === undefined) {
        grants = await grantsOf(trx, id);
      } else {
        await trx.deleteFrom('token_grants').where('token_id', '=', id).execute();
        grants = await insertGrants(trx, id, patch.grants);
      }
      await this.#finish(trx, audit, 'token', id, at);
      return toTokenRecord(row, grants);
    });
  }

  revokeToken(id: number, at: number, by: number | null, audit: AuditEntry): Promise<void> {
    return this.#mutate({}, async (trx) => {
      const row = await trx
        .updateTable('tokens')
        .set({ revoked_at: at, updated_at: at, updated_by: by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row === undefined) throw tokenNotFound(id);
      await this.#finish(trx, audit, 'token', id, at);
    });
  }

  replaceTokenSecret(
    id: number,
    newHash: string,
    change: { at: number; by: number | null; hint: string; oldRetireAt: number | null },
    audit: AuditEntry,
  ): Promise<TokenRecord> {
    return this.#mutate({}, async (trx) => {
      const row = await trx
        .updateTable('tokens')
        .set({ hint: change.hint, updated_at: change.at, updated_by: change.by })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw tokenNotFound(id);
      const retireAt = change.oldRetireAt;
      if (retireAt === null) {
        await trx.deleteFrom('token_secrets').where('token_id', '=', id).execute();
      } else {
        // A secret already retiring sooner keeps its earlier date: a rotation never extends a grace period.
        await trx
          .updateTable('token_secrets')
          .set({ retires_at: retireAt })
          .where('token_id', '=', id)
          .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', retireAt)]))
          .execute();
      }
      await trx.insertInto('token_secrets').values({ hash: newHash, token_id: id, retires_at: null }).execute();
      const grants = await grantsOf(trx, id);
      await this.#finish(trx, audit, 'token', id, change.at);
      return toTokenRecord(row, grants);
    });
  }

  purgeRetiredSecrets(
    retiredBefore: number,
    limit: number,
    auditOf: (token: { id: number; name: string }, secrets: number) => AuditEntry,
    at: number,
  ): Promise<TokenSecret[]> {
    return this.#mutate({}, async (trx) => {
      const purged = await deleteRetiredSecrets(trx, retiredBefore, limit);
      const changes = purged.tokens.map(({ id, name, secrets }) => ({
        audit: auditOf({ id, name }, secrets),
        entity: 'token' as const,
        id,
        at,
      }));
      if (changes.length > 0) await this.#finishAll(trx, changes);
      return purged.secrets;
    });
  }

  async recordLastUsed(entries: ReadonlyArray<{ tokenId: number; at: number }>): Promise<void> {
    const latest = new Map<number, number>();
    for (const { tokenId, at } of entries) latest.set(tokenId, Math.max(at, latest.get(tokenId) ?? at));
    // Ascending ids, so concurrent batches on PostgreSQL lock rows in the same order rather than deadlock.
    const pairs = [...latest].sort(([a], [b]) => a - b);
    for (let start = 0; start < pairs.length; start += LAST_USED_CHUNK) {
      const values = pairs
        .slice(start, start + LAST_USED_CHUNK)
        .map(([tokenId, at]) => sql`(cast(${tokenId} as bigint), cast(${at} as bigint))`);
      // `column1`/`column2` are the names both SQLite and PostgreSQL give to the columns of a VALUES list.
      await sql`
        update tokens set last_used_at = v.column2
        from (values ${sql.join(values)}) as v
        where tokens.id = v.column1 and (tokens.last_used_at is null or tokens.last_used_at < v.column2)
      `.execute(this.#db);
    }
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#db.transaction().execute((trx) => appendAuditRows(trx, this.dialect, [entry]));
  }

  listAudit(options: AuditQuery): Promise<AuditRecord[]> {
    return listAuditRows(this.#db, options);
  }

  verifyAudit(): Promise<AuditVerification> {
    return verifyAuditChain(this.#db);
  }

  pruneAudit(before: number): ReturnType<Catalog['pruneAudit']> {
    return this.#db.transaction().execute((trx) => pruneAuditRows(trx, this.dialect, before));
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.#db.selectFrom('users').selectAll().where('removed_at', 'is', null).orderBy('id').execute();
    return rows.map(toUserRecord);
  }

  async getUser(id: number): Promise<UserRecord | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUserRecord(row);
  }

  async findUserBySubject(subject: string): Promise<UserRecord | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('subject', '=', subject).executeTakeFirst();
    return row && toUserRecord(row);
  }

  createUser(input: NewUser, audit: AuditEntry): Promise<UserRecord> {
    return this.#mutate({ userSubject: input.subject }, async (trx) => {
      const record = await insertOrRevive(trx, input);
      await this.#finish(trx, audit, 'user', record.id, input.createdAt);
      return record;
    });
  }

  updateUser(subject: string, patch: UserPatch, at: number, audit: AuditEntry): Promise<UserRecord> {
    return this.#mutate({}, async (trx) => {
      const row = await trx
        .updateTable('users')
        .set(userChanges(patch, at))
        .where('subject', '=', subject)
        .where('removed_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw userNotFound(subject);
      await this.#finish(trx, audit, 'user', row.id, at);
      return toUserRecord(row);
    });
  }

  removeUser(subject: string, at: number, audit: AuditEntry): Promise<void> {
    return this.#mutate({}, async (trx) => {
      const row = await trx
        .updateTable('users')
        .set({ removed_at: at, updated_at: at })
        .where('subject', '=', subject)
        .where('removed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (row === undefined) throw userNotFound(subject);
      await this.#finish(trx, audit, 'user', row.id, at);
    });
  }

  recordLastSeen(entries: ReadonlyArray<{ userId: number; at: number }>): Promise<void> {
    return recordLastSeen(this.#db, entries);
  }

  async latestVersion(): Promise<number> {
    const row = await this.#db
      .selectFrom('catalog_changes')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst();
    return row?.version ?? 0;
  }

  heartbeatNode(node: NodeRecord): Promise<void> {
    return heartbeatNode(this.#db, node);
  }

  listNodes(since: number): Promise<NodeRecord[]> {
    return listNodes(this.#db, since);
  }

  removeNode(id: string): Promise<void> {
    return removeNode(this.#db, id);
  }

  clusterIdentity(configured: Partial<ClusterIdentity>, generated: ClusterIdentity): Promise<ClusterIdentity> {
    return claimClusterIdentity(this.#db, configured, generated);
  }

  async changesSince(version: number, limit: number): Promise<CatalogChange[]> {
    const rows = await this.#db
      .selectFrom('catalog_changes')
      .select(['version', 'entity', 'entity_id'])
      .where('version', '>', version)
      .orderBy('version')
      .limit(limit)
      .execute();
    return rows.map(toCatalogChange);
  }

  onChange(listener: () => void): () => void {
    return this.#parts.onChange(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#tokenCreates.settled().then(() => this.#parts.close());
    return this.#closing;
  }

  /** Runs `work` in one transaction, maps unique violations to the port's errors, and announces the commit. */
  async #mutate<T>(claimed: ClaimedValues, work: (trx: Trx) => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await this.#db.transaction().execute(work);
    } catch (error) {
      const key = this.#parts.uniqueKeyOf(error);
      throw key === undefined ? error : conflictError(key, claimed);
    }
    this.#parts.committed();
    return result;
  }

  /**
   * Counts the live databases inside the creating transaction. On SQLite the transaction already holds
   * the write lock (BEGIN IMMEDIATE); on PostgreSQL a transaction-scoped advisory lock serializes the
   * creates (and undeletes) of every node, so the count cannot go stale before the insert commits.
   * For an undelete (`id`), a row that is not deleted is left to the undelete's own answer.
   */
  async #assertRoomFor(trx: Trx, name: string, maxLive: number, verb = 'create', id?: number): Promise<void> {
    if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${DATABASE_CREATE_LOCK})`.execute(trx);
    const live = await trx
      .selectFrom('databases')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    const taken = await trx
      .selectFrom('databases')
      .select('id')
      .where('name', '=', name)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    // A clash with a live name is DATABASE_EXISTS, which the insert reports.
    if (Number(live.n) < maxLive || taken !== undefined) return;
    if (id !== undefined) {
      const row = await trx
        .selectFrom('databases')
        .select('id')
        .where('id', '=', id)
        .where('deleted_at', 'is not', null)
        .where('purged_at', 'is', null)
        .executeTakeFirst();
      // Unknown, live or purged: DATABASE_NOT_FOUND, which the undelete reports.
      if (row === undefined) return;
    }
    throw databaseLimitReached(name, maxLive, verb);
  }

  /** `#finish` for helpers outside the class: the audit and change-feed rows of one database change. */
  #finisher(trx: Trx): DatabaseFinisher {
    return (audit, id, at) => this.#finish(trx, audit, 'database', id, at);
  }

  /** The audit row and the change-feed row every mutation ends with. */
  #finish(trx: Trx, audit: AuditEntry, entity: Entity, id: number, at: number): Promise<void> {
    return this.#finishAll(trx, [{ audit, entity, id, at }]);
  }

  /** The audit rows and change-feed rows of several changes, a statement for each table. */
  async #finishAll(trx: Trx, changes: readonly FinishedChange[]): Promise<void> {
    // A create's caller cannot know the new id; the audit row gets it here.
    const entries = changes.map(({ audit, entity, id }) =>
      audit.targetKind === entity && audit.targetId === null ? { ...audit, targetId: id } : audit,
    );
    await appendAuditRows(trx, this.dialect, entries);
    await this.#parts.recordChanges(
      trx,
      changes.map(({ entity, id, at }) => ({ entity, entity_id: id, at })),
    );
  }
}

/** A failed batch of creates is retried one by one only for errors that belong to one create. */
function isSecretOrNameClash(error: unknown): boolean {
  return isFluxgateError(error) && (error.code === 'TOKEN_NAME_TAKEN' || error.code === 'TOKEN_HASH_TAKEN');
}

/** `<name>-<id>`, cut to the 64 characters a name may have. */
function freshUpstreamName(name: string, id: number): string {
  const suffix = `-${id}`;
  return `${name.slice(0, 64 - suffix.length)}${suffix}`;
}
