import { Authority } from './permissions.ts';
import type { TokenKind } from './token-format.ts';

/**
 * The roles of the management plane, as Cloud Dedicated's user groups: Admin, Member, Auditor. A
 * management token has one (default Admin); a signed-in user gets one from their group.
 */
export const ROLES = ['admin', 'member', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const ROLE_RANK: Readonly<Record<Role, number>> = { admin: 3, member: 2, auditor: 1 };

/** True when `role` grants no more than `ceiling` (Admin > Member > Auditor). */
export function roleWithin(role: Role, ceiling: Role): boolean {
  return ROLE_RANK[role] <= ROLE_RANK[ceiling];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

interface PrincipalBase {
  /** Display name for logs and the audit trail: a token name, `recovery`, `anonymous`. */
  name: string;
  /** Data-plane grants, compiled. Empty for management tokens and users: they never touch data. */
  authority: Authority;
  /** Epoch ms; Infinity when the principal never expires. */
  expiresAt: number;
  sourceIp: string | null;
  /** The request this principal acts in, for the audit trail; set by the face. */
  requestId?: string | null;
}

/** A presented token: operator, named admin, management (with its role) or database. */
export interface TokenPrincipal extends PrincipalBase {
  kind: 'token';
  tokenId: number;
  tokenKind: TokenKind;
  /** The management role of a management token; null for every other kind. */
  role: Role | null;
}

/**
 * The server itself: startup imports, recovery, create-on-write, housekeeping, `--without-auth`.
 * A service method that takes a SystemPrincipal is one only the server may call.
 */
export interface SystemPrincipal extends PrincipalBase {
  kind: 'system';
  tokenId: null;
  tokenKind: null;
  role: null;
}

/** A caller that presented nothing; it may only reach what needs no right. */
export interface AnonymousPrincipal extends PrincipalBase {
  kind: 'anonymous';
  tokenId: null;
  tokenKind: null;
  role: null;
}

/**
 * A person signed in through the identity provider (issue 8): acts with the role of their group,
 * exactly as a management token of that role does, and never touches data.
 */
export interface UserPrincipal extends PrincipalBase {
  kind: 'user';
  tokenId: null;
  tokenKind: null;
  role: Role;
  /** The provider's subject. */
  subject: string;
}

/** Who is asking. Services take a principal with every call and decide from it alone. */
export type Principal = TokenPrincipal | SystemPrincipal | AnonymousPrincipal | UserPrincipal;

export const ADMIN_AUTHORITY = new Authority([{ type: 'admin' }]);
export const NO_AUTHORITY = new Authority([]);

export function systemPrincipal(name: string, sourceIp: string | null = null): SystemPrincipal {
  return {
    kind: 'system',
    tokenId: null,
    tokenKind: null,
    role: null,
    name,
    authority: ADMIN_AUTHORITY,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp,
  };
}

export function anonymousPrincipal(sourceIp: string | null): AnonymousPrincipal {
  return {
    kind: 'anonymous',
    tokenId: null,
    tokenKind: null,
    role: null,
    name: 'anonymous',
    authority: NO_AUTHORITY,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp,
  };
}
