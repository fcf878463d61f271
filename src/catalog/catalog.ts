import type { Grant } from '../domain/permissions.ts';
import type { Role } from '../domain/principal.ts';
import type { TokenKind } from '../domain/token-format.ts';

/**
 * The Catalog port: everything fluxgate remembers about databases, tokens and the audit trail.
 * Async from day one; adapters: sqlite (default, one file) and postgres (many nodes).
 * Every mutation is one transaction that also appends its audit record and a change-feed row,
 * so other nodes (and the TokenIndex of this one) can follow. Times are epoch milliseconds.
 */
export interface DatabaseRecord {
  id: number;
  name: string;
  createdAt: number;
  deletedAt: number | null;
  /** When a deleted database's files were removed (the recovery window ended); null until then. */
  purgedAt: number | null;
  maxTables: number;
  maxColumnsPerTable: number;
  /** Rows older than this are removed; null keeps them forever. */
  retentionPeriodMs: number | null;
  /** The node whose files hold this database (shared catalog); null when any node may serve it. */
  ownerNode: string | null;
  /** The database's name on a gateway's upstream engine: chosen at create, kept by a rename, never reused. */
  upstreamName: string;
}

export interface NewDatabase {
  name: string;
  createdAt: number;
  maxTables: number;
  maxColumnsPerTable: number;
  retentionPeriodMs: number | null;
  /** The creating node on a shared catalog; absent or null on a one-node catalog. */
  ownerNode?: string | null;
  /**
   * Refuse (DATABASE_LIMIT_REACHED) when this many databases are already live, counted in the same
   * transaction as the insert, so concurrent creates on any number of nodes cannot pass it.
   */
  maxLive?: number;
}

export interface DatabasePatch {
  name?: string;
  maxTables?: number;
  maxColumnsPerTable?: number;
  retentionPeriodMs?: number | null;
}

export interface TokenRecord {
  id: number;
  kind: TokenKind;
  name: string;
  description: string | null;
  /** Non-secret display hint such as `fgd_AbCd…`. */
  hint: string;
  createdAt: number;
  createdBy: number | null;
  updatedAt: number | null;
  updatedBy: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  /** A management token's role; null for every other kind. */
  role: Role | null;
  grants: Grant[];
}

/** A token to insert: what a record has at creation (no updates, revocation or use yet). */
export type NewToken = Pick<
  TokenRecord,
  'kind' | 'name' | 'description' | 'hint' | 'createdAt' | 'createdBy' | 'expiresAt' | 'grants'
> & { role?: Role | null };

export interface TokenPatch {
  name?: string;
  description?: string | null;
  expiresAt?: number | null;
  role?: Role;
  grants?: Grant[];
}

/** One accepted secret of a token: its SHA-512 (hex). A rotated-away secret keeps working until retiresAt. */
export interface TokenSecret {
  hash: string;
  tokenId: number;
  retiresAt: number | null;
}

export interface TokenWithSecrets {
  token: TokenRecord;
  secrets: TokenSecret[];
}

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditEntry {
  at: number;
  actorTokenId: number | null;
  /** The actor's display name (`_admin`, a token name, `bootstrap`, `recovery`), never a secret. */
  actorName: string | null;
  action: string;
  targetKind: 'token' | 'database' | 'server' | 'user';
  targetId: number | null;
  targetName: string | null;
  outcome: AuditOutcome;
  sourceIp: string | null;
  details: Record<string, unknown>;
  /** `operator`, `admin`, `management`, `database`, `user`, `system`, `anonymous`. */
  actorKind?: string | null;
  requestId?: string | null;
  /** Aggregated refusals: how many this entry stands for (default 1), and the first and last one's time. */
  count?: number;
  firstAt?: number;
  lastAt?: number;
}

/** A stored entry: its place in the hash chain and every optional field filled. */
export interface AuditRecord extends AuditEntry {
  id: number;
  seq: number;
  actorKind: string | null;
  requestId: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
  prevHash: string;
  hash: string;
}

/** Filters of `listAudit`; newest first. */
export interface AuditQuery {
  limit: number;
  /** Entries older than this one (a cursor). */
  beforeSeq?: number;
  beforeId?: number;
  /** Epoch ms, inclusive. */
  since?: number;
  until?: number;
  /** A token id (digits) or an actor name. */
  actor?: string;
  /** An action, or a prefix ending in `*`. */
  action?: string;
  outcome?: AuditOutcome;
}

export interface AuditChainPoint {
  seq: number;
  hash: string;
}

export type AuditProblemKind = 'edited' | 'removed' | 'reordered' | 'truncated';

/** What `verifyAudit` found: the first problem in seq order, if any. */
export interface AuditVerification {
  ok: boolean;
  checked: number;
  anchor: AuditChainPoint | null;
  head: AuditChainPoint | null;
  problem?: { seq: number; id: string; kind: AuditProblemKind; message: string };
}

export interface CatalogChange {
  version: number;
  entity: 'token' | 'database' | 'user';
  entityId: number;
}

export type UserRole = 'admin' | 'member' | 'auditor';
/** Where a user's group comes from: `--oidc-admin-subjects`, the provider's group claim, or an Admin. */
export type UserSource = 'startup' | 'claim' | 'manual';

/** A person who signs in through the identity provider, known by the provider's subject. */
export interface UserRecord {
  id: number;
  subject: string;
  role: UserRole;
  source: UserSource;
  email: string | null;
  displayName: string | null;
  createdAt: number;
  updatedAt: number | null;
  disabledAt: number | null;
  /** Set when removed: the row stays so a group claim cannot bring the subject back by itself. */
  removedAt: number | null;
  lastSeenAt: number | null;
}

export interface NewUser {
  subject: string;
  role: UserRole;
  source: UserSource;
  email: string | null;
  displayName: string | null;
  disabled: boolean;
  createdAt: number;
}

export interface UserPatch {
  role?: UserRole;
  source?: UserSource;
  email?: string | null;
  displayName?: string | null;
  disabledAt?: number | null;
}

export interface Catalog {
  readonly dialect: 'sqlite' | 'postgres';

  listDatabases(options?: { includeDeleted?: boolean }): Promise<DatabaseRecord[]>;
  getDatabase(id: number): Promise<DatabaseRecord | undefined>;
  /** Throws DATABASE_EXISTS when a live database already has the name, DATABASE_LIMIT_REACHED past `maxLive`. */
  createDatabase(input: NewDatabase, audit: AuditEntry): Promise<DatabaseRecord>;
  /** Throws DATABASE_NOT_FOUND for an unknown or deleted id, DATABASE_EXISTS on a name clash. */
  updateDatabase(id: number, patch: DatabasePatch, audit: AuditEntry): Promise<DatabaseRecord>;
  /** Soft delete: the row stays so grants can still show the old name; the name becomes free. */
  deleteDatabase(id: number, at: number, audit: AuditEntry): Promise<void>;
  /**
   * Brings a deleted database back under its name. Throws DATABASE_NOT_FOUND unless the id is deleted
   * and not purged, DATABASE_EXISTS when a live database has taken the name, DATABASE_LIMIT_REACHED
   * when `maxLive` databases are already live (counted in the undeleting transaction, as on create).
   */
  undeleteDatabase(id: number, audit: AuditEntry, options?: { maxLive?: number }): Promise<DatabaseRecord>;
  /** Marks a deleted database purged (its files go); throws DATABASE_NOT_FOUND unless deleted and not yet purged. */
  purgeDatabase(id: number, at: number, audit: AuditEntry): Promise<void>;

  /** Throws TOKEN_NAME_TAKEN when an unrevoked token has the name, TOKEN_HASH_TAKEN when the secret is known. */
  createToken(input: NewToken, secretHash: string, audit: AuditEntry): Promise<TokenRecord>;
  getToken(id: number): Promise<TokenRecord | undefined>;
  /** The unrevoked token with this name (expired ones included). */
  findTokenByName(name: string): Promise<TokenRecord | undefined>;
  /** The token owning this secret hash, revoked or not, with the matching secret. */
  findTokenByHash(hash: string): Promise<{ token: TokenRecord; secret: TokenSecret } | undefined>;
  listTokens(options?: { includeRevoked?: boolean }): Promise<TokenRecord[]>;
  /** Unrevoked tokens with their unretired secrets, by ascending id, a page at a time (for the TokenIndex). */
  loadTokens(afterId: number, limit: number, now: number): Promise<TokenWithSecrets[]>;
  /** The unrevoked tokens among `ids` with their unretired secrets, in a fixed number of queries (for the change feed). */
  loadTokensById(ids: readonly number[], now: number): Promise<TokenWithSecrets[]>;
  getTokenSecrets(tokenId: number, now: number): Promise<TokenSecret[]>;
  /** Hashes of revoked tokens' secrets and of retired secrets, newest first, at most `limit` (so they read as revoked). */
  loadRevokedHashes(limit: number, now: number): Promise<string[]>;
  /** Throws TOKEN_NOT_FOUND for an unknown or revoked id, TOKEN_NAME_TAKEN on a name clash. */
  updateToken(id: number, patch: TokenPatch, at: number, by: number | null, audit: AuditEntry): Promise<TokenRecord>;
  /** Sets revoked_at; throws TOKEN_NOT_FOUND when unknown or already revoked. */
  revokeToken(id: number, at: number, by: number | null, audit: AuditEntry): Promise<void>;
  /**
   * Gives the token a new secret. Old secrets retire at `oldRetireAt` (a grace period) or, when
   * null, are deleted at once. Throws TOKEN_NOT_FOUND for an unknown or revoked id.
   */
  replaceTokenSecret(
    id: number,
    newHash: string,
    change: { at: number; by: number | null; hint: string; oldRetireAt: number | null },
    audit: AuditEntry,
  ): Promise<TokenRecord>;
  /**
   * Deletes the secrets that retired (a rotation's grace ended) at or before `retiredBefore`, at most
   * `limit` of them (oldest first), with one audit row per token (`auditOf`) and a change-feed row per token so
   * every node drops them. Returns the purged secrets.
   */
  purgeRetiredSecrets(
    retiredBefore: number,
    limit: number,
    auditOf: (token: { id: number; name: string }, secrets: number) => AuditEntry,
    at: number,
  ): Promise<TokenSecret[]>;
  /** Batched last-used timestamps; never lowers a stored value. */
  recordLastUsed(entries: ReadonlyArray<{ tokenId: number; at: number }>): Promise<void>;

  /** For actions that change nothing (a denied attempt): the record alone. */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(options: AuditQuery): Promise<AuditRecord[]>;
  /** Walks the hash chain in seq order from its anchor and reports the first problem. */
  verifyAudit(): Promise<AuditVerification>;
  /** Removes the entries older than `before` (epoch ms), leaving the last removed hash as the anchor. */
  pruneAudit(before: number): Promise<{ pruned: number; anchor: AuditChainPoint | null }>;

  /** Users not removed, by id. */
  listUsers(): Promise<UserRecord[]>;
  /** By id, removed ones included (the change feed names ids). */
  getUser(id: number): Promise<UserRecord | undefined>;
  /** The user with this subject, removed ones included. */
  findUserBySubject(subject: string): Promise<UserRecord | undefined>;
  /** Adds a user, or brings a removed one back; throws USER_EXISTS when the subject is a current user. */
  createUser(input: NewUser, audit: AuditEntry): Promise<UserRecord>;
  /** Throws USER_NOT_FOUND for an unknown or removed subject. */
  updateUser(subject: string, patch: UserPatch, at: number, audit: AuditEntry): Promise<UserRecord>;
  /** Marks the user removed; throws USER_NOT_FOUND for an unknown or removed subject. */
  removeUser(subject: string, at: number, audit: AuditEntry): Promise<void>;
  /** Batched last-seen times; never lowers a stored value. */
  recordLastSeen(entries: ReadonlyArray<{ userId: number; at: number }>): Promise<void>;

  latestVersion(): Promise<number>;
  /** Registers or refreshes this node: its heartbeat and how far it has applied the change feed. */
  heartbeatNode(node: NodeRecord): Promise<void>;
  /** Nodes that heartbeated at or after `since` (epoch ms). */
  listNodes(since: number): Promise<NodeRecord[]>;
  /** Forgets a node that is shutting down, so nobody waits for it. */
  removeNode(id: string): Promise<void>;

  /**
   * The account and cluster ids of this catalog: the configured ones (kept for every node), else
   * those kept from an earlier start, else `generated` (kept from now on).
   */
  clusterIdentity(configured: Partial<ClusterIdentity>, generated: ClusterIdentity): Promise<ClusterIdentity>;
  changesSince(version: number, limit: number): Promise<CatalogChange[]>;
  /**
   * Calls `listener` soon after any change is committed, by this process or (postgres) another node.
   * Returns a function that unsubscribes.
   */
  onChange(listener: () => void): () => void;

  close(): Promise<void>;
}

/** A server process on this catalog (see the nodes table). */
export interface NodeRecord {
  id: string;
  address: string;
  startedAt: number;
  heartbeatAt: number;
  appliedVersion: number;
}

/** The ids a Dedicated-style management path carries: `/api/v0/accounts/{accountId}/clusters/{clusterId}/…`. */
export interface ClusterIdentity {
  accountId: string;
  clusterId: string;
}
