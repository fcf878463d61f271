import type { SystemResource } from '../domain/permissions.ts';
import { DEFAULT_RESULT_CAP, parseResultCap, type ResultCapSetting } from '../domain/result-cap.ts';
import { DEFAULT_CONSOLE_DIR } from '../http/console/console-assets.ts';
import type { StorageConfig } from '../storage/upstream/upstream-target.ts';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection-limits.ts';

export interface ServerConfig {
  dataDir: string;
  httpBind: string;
  /** A postgres:// URL, a SQLite file path, or undefined for `<dataDir>/catalog.sqlite`. */
  catalog: string | undefined;
  adminTokenFile: string | undefined;
  /** Address of the one-shot operator token recovery listener, when enabled. */
  recoveryBind: string | undefined;
  withoutAuth: boolean;
  disableAuthz: SystemResource[];
  allowRemoteBootstrap: boolean;
  logLevel: string;
  maxBodyBytes: number;
  authFailureLimit: number;
  authFailureWindowMs: number;
  authBlockMs: number;
  /** Failed authentications per second across all sources before every failure gets 429; 0: no ceiling. */
  authFailureGlobalLimit: number;
  /** `--background-nice`: how much nicer than the request thread the line-protocol parse workers run (0: off). */
  backgroundNice: number;
  connections: ConnectionLimits;
  tokenIndexMaxEntries: number;
  usageFlushMs: number;
  catalogPollMs: number;
  maxTables: number;
  maxColumnsPerTable: number;
  retentionSweepMs: number;
  /** How long a deleted database can be undeleted before its files go. */
  databaseRecoveryWindowMs: number;
  /** Audit entries older than this are pruned (the chain stays verifiable from its anchor). */
  auditRetentionMs: number;
  /** How long a rotated-out token secret is kept after its grace ends before it is purged. */
  retiredSecretRetentionMs: number;
  queryTimeoutMs: number;
  /** `--query-max-result`, parsed (see src/domain/result-cap.ts). */
  queryMaxResult: ResultCapSetting;
  /** `--max-databases`: live databases at most. */
  maxDatabases: number;
  /** `--storage`: embedded DuckDB, or a gateway in front of an InfluxDB 3 API upstream. */
  storage: StorageConfig;
  /** Data engines (DuckDB instances): idle close, open count, and each one's memory and threads. */
  engines: { idleTimeoutMs: number; maxOpen: number; memoryLimit: string; threads: number };
  /** The built web console (`console/dist`), served at `/`. */
  consoleDir: string;
  /** Sign-ins through an OpenID provider; undefined when the server takes fluxgate tokens only. */
  oidc: OidcConfig | undefined;
  /** The management API's account and cluster ids; those absent are kept in (or generated into) the catalog. */
  clusterIdentity?: { accountId?: string; clusterId?: string };
}

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** The public client the CLI's device login uses (advertised at /api/v0/auth/config). */
  clientId: string | undefined;
  /** The claim naming a first sign-in's group; undefined: only listed and added users get in. */
  groupClaim: string | undefined;
  /** Subjects that are Admins by this configuration. */
  adminSubjects: string[];
  /** Least time between two key-set fetches caused by an unknown `kid`. */
  jwksCooldownMs: number;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  dataDir: './data',
  httpBind: '127.0.0.1:8181',
  catalog: undefined,
  adminTokenFile: undefined,
  recoveryBind: undefined,
  withoutAuth: false,
  disableAuthz: [],
  allowRemoteBootstrap: false,
  logLevel: 'info',
  maxBodyBytes: 10 * 1024 * 1024,
  authFailureLimit: 30,
  authFailureWindowMs: 60_000,
  authBlockMs: 60_000,
  authFailureGlobalLimit: 100,
  backgroundNice: 10,
  connections: DEFAULT_CONNECTION_LIMITS,
  tokenIndexMaxEntries: 2_000_000,
  usageFlushMs: 5_000,
  catalogPollMs: 2_000,
  maxTables: 500,
  maxColumnsPerTable: 250,
  retentionSweepMs: 60_000,
  databaseRecoveryWindowMs: 7 * 86_400_000,
  auditRetentionMs: 400 * 86_400_000,
  retiredSecretRetentionMs: 7 * 86_400_000,
  queryTimeoutMs: 60_000,
  queryMaxResult: parseResultCap(DEFAULT_RESULT_CAP),
  maxDatabases: 100,
  storage: { kind: 'duckdb' },
  engines: { idleTimeoutMs: 300_000, maxOpen: 64, memoryLimit: '128MB', threads: 2 },
  consoleDir: DEFAULT_CONSOLE_DIR,
  oidc: undefined,
};

export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
