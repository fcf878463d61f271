import type { Generated } from 'kysely';

/** The catalog's tables as Kysely sees them. Times are epoch milliseconds; ids are safe integers. */
export interface CatalogSchema {
  databases: DatabasesTable;
  tokens: TokensTable;
  token_secrets: TokenSecretsTable;
  token_grants: TokenGrantsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  catalog_changes: CatalogChangesTable;
  users: UsersTable;
  nodes: NodesTable;
  cluster_identity: ClusterIdentityTable;
}

/** A server process serving this catalog, and how far it has applied the change feed. */
export interface NodesTable {
  id: string;
  address: string;
  started_at: number;
  heartbeat_at: number;
  applied_version: number;
}

export interface DatabasesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  deleted_at: number | null;
  /** Set when a deleted database's files were removed: it can no longer be undeleted. */
  purged_at: Generated<number | null>;
  max_tables: number;
  max_columns_per_table: number;
  retention_period_ms: number | null;
  /** The node holding the files of this database on a shared catalog; null when any (the only) node does. */
  owner_node: Generated<string | null>;
  /** The database's name on a gateway's upstream engine: set at create, kept by renames, never reused. */
  upstream_name: Generated<string | null>;
}

export interface TokensTable {
  id: Generated<number>;
  kind: string;
  name: string;
  description: string | null;
  hint: string;
  created_at: number;
  created_by: number | null;
  updated_at: number | null;
  updated_by: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  /** A management token's role; null for every other kind. */
  role: Generated<string | null>;
}

export interface TokenSecretsTable {
  /** SHA-512 of the token string, hex. The token string itself is never stored. */
  hash: string;
  token_id: number;
  retires_at: number | null;
}

export interface TokenGrantsTable {
  token_id: number;
  position: number;
  type: string;
  /** For `db` grants: `*` or a JSON array of database ids; null otherwise. */
  databases: string | null;
  actions: number | null;
  resources: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_token_id: number | null;
  actor_name: string | null;
  action: string;
  target_kind: string;
  target_id: number | null;
  target_name: string | null;
  outcome: string;
  source_ip: string | null;
  /** JSON text. */
  details: string;
  /** The entry's position in the hash chain: 1, 2, … with no gaps (pruning removes a prefix). */
  seq: number;
  prev_hash: string;
  hash: string;
  actor_kind: string | null;
  request_id: string | null;
  /** Aggregated refusals: how many, and the first and last one's time. */
  count: Generated<number>;
  first_at: number;
  last_at: number;
}

/** The one row (id 1) every audit append locks and moves, and where pruning leaves its anchor. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  anchor_seq: number | null;
  anchor_hash: string | null;
}

export interface CatalogChangesTable {
  version: Generated<number>;
  entity: string;
  entity_id: number;
  at: number;
}

export interface UsersTable {
  id: Generated<number>;
  /** The identity provider's `sub`. */
  subject: string;
  role: string;
  source: string;
  email: string | null;
  display_name: string | null;
  created_at: number;
  updated_at: number | null;
  disabled_at: number | null;
  removed_at: number | null;
  last_seen_at: number | null;
}

/** One row (id 1): the ids the Dedicated-style paths of the management API carry. */
export interface ClusterIdentityTable {
  id: number;
  account_id: string;
  cluster_id: string;
}
