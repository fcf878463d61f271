import { ACTIONS, type Action, actionText } from './actions.ts';
import { type ErrorCode, FluxgateError } from './errors.ts';
import { DB_ACTIONS, type DbAction, type Grant, type Need } from './permissions.ts';
import type { Principal, Role } from './principal.ts';

/**
 * Who may do what, as one table: every action × every class of principal. The services enforce it
 * through `decide` (and audit each refusal), docs/permissions.md prints it, and a test keeps the two
 * equal. A management token and a signed-in user of the same role share a column.
 */
export const PRINCIPAL_CLASSES = [
  'operator',
  'admin',
  'role:admin',
  'role:member',
  'role:auditor',
  'database',
  'system',
  'anonymous',
] as const;
export type PrincipalClass = (typeof PRINCIPAL_CLASSES)[number];

export type Rule =
  /** Allowed; `note` qualifies it (printed as a footnote). */
  | { kind: 'allow'; note?: string }
  /** Allowed when the principal's grants cover the request's need (a database token's `db:…`). */
  | { kind: 'grant'; note: string }
  /** Refused with 403; `reason` overrides the generated "that needs …". */
  | { kind: 'deny'; reason?: string }
  /** Refused for everyone allowed to try, for a reason of the target (the operator token cannot be revoked). */
  | { kind: 'refuse'; code: ErrorCode; reason: string };

const allow = (note?: string): Rule => (note === undefined ? { kind: 'allow' } : { kind: 'allow', note });
const NO: Rule = { kind: 'deny' };
const NEVER_DATA: Rule = {
  kind: 'deny',
  reason: 'management tokens and users manage; they can never write or query data',
};
const DATA_ONLY: Rule = {
  kind: 'deny',
  reason: 'database tokens are for data only; use a management, admin or operator token',
};
const OPERATOR_FIXED: Rule = {
  kind: 'refuse',
  code: 'OPERATOR_TOKEN_UNDELETABLE',
  reason: 'it cannot be revoked, deleted or edited; regenerate it instead (create token --admin --regenerate)',
};

type Cells = Partial<Record<PrincipalClass, Rule>>;
const ADMINS: Cells = { operator: allow(), admin: allow(), system: allow() };
const READERS: Cells = { ...ADMINS, 'role:admin': allow(), 'role:auditor': allow() };
const MANAGERS: Cells = { ...ADMINS, 'role:admin': allow() };
const TOKEN_MINTERS: Cells = { ...MANAGERS, 'role:member': allow() };

function row(cells: Cells): Readonly<Record<PrincipalClass, Rule>> {
  return Object.fromEntries(PRINCIPAL_CLASSES.map((c) => [c, cells[c] ?? NO])) as Record<PrincipalClass, Rule>;
}

const BOOTSTRAP = 'only while no _admin exists; without a token only from loopback (or --allow-remote-bootstrap)';
const ROLE_CEILING = 'never with a role above its own';
const OWN_DATABASES = 'only the databases it holds a grant on';

export const PERMISSION_MATRIX: Readonly<Record<Action, Readonly<Record<PrincipalClass, Rule>>>> = {
  'operator_token.create': row({ ...ADMINS, operator: allow(BOOTSTRAP), anonymous: allow(BOOTSTRAP) }),
  'operator_token.list': row(READERS),
  'operator_token.get': row(READERS),
  'operator_token.update': row({ operator: OPERATOR_FIXED, admin: OPERATOR_FIXED, system: OPERATOR_FIXED }),
  'operator_token.rotate': row({
    operator: allow(),
    admin: { kind: 'deny', reason: 'only the operator token itself can regenerate _admin' },
    system: allow('recovery'),
  }),
  'operator_token.revoke': row({ operator: OPERATOR_FIXED, admin: OPERATOR_FIXED, system: OPERATOR_FIXED }),
  'operator_token.delete': row({ operator: OPERATOR_FIXED, admin: OPERATOR_FIXED, system: OPERATOR_FIXED }),
  'admin_token.create': row(ADMINS),
  'admin_token.list': row(READERS),
  'admin_token.get': row(READERS),
  'admin_token.update': row(ADMINS),
  'admin_token.rotate': row(ADMINS),
  'admin_token.revoke': row(ADMINS),
  'admin_token.delete': row(ADMINS),
  'management_token.create': row({ ...MANAGERS, 'role:admin': allow(ROLE_CEILING) }),
  'management_token.list': row(READERS),
  'management_token.get': row(READERS),
  'management_token.update': row({ ...MANAGERS, 'role:admin': allow(ROLE_CEILING) }),
  'management_token.rotate': row(MANAGERS),
  'management_token.revoke': row(MANAGERS),
  'management_token.delete': row(MANAGERS),
  'database_token.create': row(TOKEN_MINTERS),
  'database_token.list': row({ ...READERS, 'role:member': allow() }),
  'database_token.get': row({ ...READERS, 'role:member': allow() }),
  'database_token.update': row(TOKEN_MINTERS),
  'database_token.rotate': row(TOKEN_MINTERS),
  'database_token.revoke': row(TOKEN_MINTERS),
  'database_token.delete': row(MANAGERS),
  'database.create': row({ ...MANAGERS, database: { kind: 'grant', note: 'with db:*:create' } }),
  'database.list': row({ ...READERS, 'role:member': allow(), database: allow(OWN_DATABASES) }),
  'database.get': row({ ...READERS, 'role:member': allow(), database: allow(OWN_DATABASES) }),
  'database.update': row(MANAGERS),
  'database.rename': row(MANAGERS),
  'database.delete': row(MANAGERS),
  'database.undelete': row(MANAGERS),
  'database.purge': row({ system: allow('when the recovery window of a deleted database ends') }),
  'token_secret.purge': row({
    system: allow('when a rotated-out secret has been retired longer than --retired-secret-retention'),
  }),
  'audit.read': row(READERS),
  'audit.verify': row(READERS),
  'user.list': row(READERS),
  'user.get': row(READERS),
  'user.add': row(MANAGERS),
  'user.update': row(MANAGERS),
  'user.remove': row(MANAGERS),
  'management_api.use': row({ ...READERS, 'role:member': allow(), database: DATA_ONLY }),
  'data.write': row({
    ...ADMINS,
    database: { kind: 'grant', note: 'with db:<name>:write (db:*:write also creates a database by writing)' },
    'role:admin': NEVER_DATA,
    'role:member': NEVER_DATA,
    'role:auditor': NEVER_DATA,
  }),
  'data.query': row({
    ...ADMINS,
    database: { kind: 'grant', note: 'with db:<name>:read; _internal needs an admin token' },
    'role:admin': NEVER_DATA,
    'role:member': NEVER_DATA,
    'role:auditor': NEVER_DATA,
  }),
  'system.read': row({
    ...ADMINS,
    database: { kind: 'grant', note: 'with system:<name>:read, unless exempted by --disable-authz' },
  }),
  // Ping and health: the v1 clients' ping() checks the server with the token they read with, and a
  // valid token learns nothing from them that its own requests would not tell it.
  'system.probe': row({
    ...ADMINS,
    'role:admin': allow(),
    'role:member': allow(),
    'role:auditor': allow(),
    database: allow(),
  }),
};

/** The matrix column a principal falls in. */
export function classOf(principal: Principal): PrincipalClass {
  switch (principal.kind) {
    case 'system':
      return 'system';
    case 'anonymous':
      return 'anonymous';
    case 'user':
      return roleClass(principal.role);
    case 'token':
      if (principal.tokenKind === 'management') return roleClass(principal.role ?? 'admin');
      return principal.tokenKind;
  }
}

function roleClass(role: Role): PrincipalClass {
  return `role:${role}`;
}

/** False when no grant could ever let this principal's class do `action` (a management token writing data). */
export function mayEver(principal: Principal, action: Action): boolean {
  const kind = PERMISSION_MATRIX[action][classOf(principal)].kind;
  return kind === 'allow' || kind === 'grant';
}

/**
 * Whether a principal may give a token these grants: only rights it holds itself, except for the
 * roles, which hold no data rights and may grant any database (as Cloud Dedicated's Admins and Members).
 */
export function mayGrant(principal: Principal, grants: readonly Grant[]): boolean {
  if (classOf(principal).startsWith('role:')) return true;
  return principal.authority.covers(grants);
}

/** Whether a database shows in the principal's lists: a database token sees those it holds some right on. */
export function seesDatabase(principal: Principal, dbId: number): boolean {
  if (classOf(principal) !== 'database') return true;
  return DB_ACTION_BITS.some((actions) => principal.authority.allows({ kind: 'db', dbId, actions }));
}

const DB_ACTION_BITS = Object.values(DB_ACTIONS);

export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: ErrorCode; readonly reason: string };

const ALLOWED: Verdict = { allowed: true };

/**
 * The decision for one request: the matrix cell, and for a grant cell the principal's grants
 * against `need` (the database and actions the request touches). `targetName` only words the reason.
 */
export function decide(principal: Principal, action: Action, need?: Need, targetName?: string | null): Verdict {
  const rule = PERMISSION_MATRIX[action][classOf(principal)];
  switch (rule.kind) {
    case 'allow':
      return ALLOWED;
    case 'grant':
      if (need !== undefined && principal.authority.allows(need)) return ALLOWED;
      return {
        allowed: false,
        code: 'PERMISSION_DENIED',
        reason: need === undefined ? rule.note : `it needs ${describeNeed(need, targetName)}`,
      };
    case 'deny':
      return { allowed: false, code: 'PERMISSION_DENIED', reason: rule.reason ?? WHO_MAY[action] };
    case 'refuse':
      return { allowed: false, code: rule.code, reason: rule.reason };
  }
}

/**
 * The one message builder for every refusal: "the management token 'ci' (role member) may not
 * create management tokens: that needs …". `what` follows the action phrase (a name, an id).
 */
export function refusal(
  principal: Principal,
  action: Action,
  verdict: { code: ErrorCode; reason: string },
  what?: string | null,
): FluxgateError {
  const target = what === undefined || what === null || what === '' ? '' : ` ${what}`;
  return new FluxgateError(
    verdict.code,
    `${describePrincipal(principal)} may not ${actionText(action)}${target}: ${verdict.reason}`,
    { action },
  );
}

export function describePrincipal(principal: Principal): string {
  switch (principal.kind) {
    case 'system':
      return `the server (${principal.name})`;
    case 'anonymous':
      return 'a request without a token';
    case 'user':
      return `the user '${principal.name}' (group ${principal.role})`;
    case 'token':
      switch (principal.tokenKind) {
        case 'operator':
          return 'the operator token';
        case 'management':
          return `the management token '${principal.name}' (role ${principal.role ?? 'admin'})`;
        default:
          return `the ${principal.tokenKind} token '${principal.name}'`;
      }
  }
}

export function describeNeed(need: Need, targetName?: string | null): string {
  switch (need.kind) {
    case 'admin':
      return 'an admin token';
    case 'system':
      return `system:${need.resource}:read`;
    case 'db': {
      const actions = (Object.keys(DB_ACTIONS) as DbAction[]).filter((a) => need.actions & DB_ACTIONS[a]);
      return `db:${need.dbId === null ? '*' : (targetName ?? need.dbId)}:${actions.join(',')}`;
    }
  }
}

export const CLASS_NOUNS: Readonly<Record<PrincipalClass, string>> = {
  operator: 'the operator token',
  admin: 'an admin token',
  'role:admin': 'the Admin role',
  'role:member': 'the Member role',
  'role:auditor': 'the Auditor role',
  database: 'a database token',
  system: 'the server',
  anonymous: 'no token',
};

/** "that needs the operator token, an admin token or the Admin role", per action, from the table. */
const WHO_MAY: Readonly<Record<Action, string>> = Object.fromEntries(
  ACTIONS.map((action) => {
    const allowed = PRINCIPAL_CLASSES.filter(
      (c) => c !== 'system' && c !== 'anonymous' && PERMISSION_MATRIX[action][c].kind !== 'deny',
    )
      .filter((c) => PERMISSION_MATRIX[action][c].kind !== 'refuse')
      .map((c) => {
        const rule = PERMISSION_MATRIX[action][c];
        return rule.kind === 'grant' ? `${CLASS_NOUNS[c]} ${rule.note}` : CLASS_NOUNS[c];
      });
    const list =
      allowed.length <= 1 ? (allowed[0] ?? 'nobody') : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
    return [action, `that needs ${list}`];
  }),
) as Record<Action, string>;

/**
 * The highest management role a principal may give a token: Admin for the operator, admin tokens and
 * the server; its own role for a management token or a signed-in user; none for anything else.
 */
export function roleCeilingOf(principal: Principal): Role | null {
  const principalClass = classOf(principal);
  if (principalClass === 'operator' || principalClass === 'admin' || principalClass === 'system') return 'admin';
  if (principalClass.startsWith('role:')) return principalClass.slice('role:'.length) as Role;
  return null;
}

/**
 * The latest a token made or edited by `principal` may expire (epoch ms; Infinity: never). A token
 * may not outlive the token that makes it; a signed-in user's limit is the user, not the session:
 * the provider's JWT lasts an hour, and making a long-lived management token is what a user signs
 * in for (`management create` as an Admin). Removing or disabling the user is what ends their rights.
 */
export function expiryCeilingOf(principal: Principal): number {
  return principal.kind === 'user' ? Number.POSITIVE_INFINITY : principal.expiresAt;
}
