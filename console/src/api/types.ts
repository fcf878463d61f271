/** The bodies the console reads, as docs/api.md defines them (v0 Management API and v3 tokens). */

export type TokenStatus = 'active' | 'expired' | 'revoked';

export interface Permission {
  action: 'read' | 'write' | string;
  resource: string;
}

/** What the v0 database and management tokens have in common. */
export interface V0Token {
  id: string;
  name: string;
  description: string;
  status: TokenStatus;
  tokenPrefix?: string;
  createdAt: string;
  createdBy?: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** `GET /api/v0/tokens` items. */
export interface DatabaseToken extends V0Token {
  permissions: Permission[];
}

export type Role = 'admin' | 'member' | 'auditor';

/** `GET /api/v0/management-tokens` items. */
export interface ManagementToken extends V0Token {
  role: Role;
}

/** Create and rotate answers carry the secret, once. */
export interface WithAccessToken {
  accessToken: string;
  graceEndsAt?: string;
}

/** `GET /api/v0/databases` items. */
export interface Database {
  id: number;
  name: string;
  maxTables: number;
  maxColumnsPerTable: number;
  retentionPeriod: number;
  status: 'active' | 'deleted';
  createdAt?: string;
  deletedAt?: string;
  purgeAt?: string;
}

/** `GET /api/v3/configure/token` items (admin tokens live in the v3 API). */
export interface V3Token {
  id: number;
  name: string;
  kind: string;
  description: string | null;
  hint: string;
  status: TokenStatus;
  permissions: string[];
  created_at: string | null;
  created_by: string | number | null;
  expiry: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** `POST /api/v3/configure/token/named_admin` and regenerate. */
export interface V3IssuedToken {
  id: number;
  name: string;
  token: string;
  hint: string;
  kind: string;
  expiry: string | null;
}

/** `GET /api/v0/audit` items. */
export interface AuditEntry {
  id: string;
  seq: number;
  time: string;
  actorTokenId?: string;
  actorName?: string;
  actorKind?: string;
  action: string;
  targetKind?: string;
  targetId?: string;
  targetName?: string;
  outcome: 'ok' | 'denied' | 'failed';
  sourceAddress?: string;
  requestId?: string;
  count?: number;
  firstTime?: string;
  lastTime?: string;
  details?: Record<string, unknown>;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  anchor: { seq: number; hash: string } | null;
  head?: { seq: number; hash: string } | null;
  problem?: { seq: number; id: string; kind: string; message: string };
}

/** `GET /console/api/session`. */
export interface SessionInfo {
  csrfToken: string;
  principal: {
    name: string;
    kind: string;
    tokenId: string | null;
    role?: string;
    expiresAt: string | null;
  };
}

export interface SignInOptions {
  oidc: boolean;
}
