import type { TokenIndex } from '../auth/token-index.ts';
import type { UsageTracker } from '../auth/usage-tracker.ts';
import type { Catalog, TokenRecord } from '../catalog/catalog.ts';
import { type ManagementAction, type TokenVerb, tokenAction } from '../domain/actions.ts';
import { expiryCeilingOf, mayGrant, roleCeilingOf } from '../domain/authorization.ts';
import { requireFuture } from '../domain/durations.ts';
import { FluxgateError, fail, isFluxgateError } from '../domain/errors.ts';
import { expiresWithin } from '../domain/expiry.ts';
import { OPERATOR_TOKEN_NAME, validateName } from '../domain/names.ts';
import { type Page, type PageRequest, pageOf } from '../domain/paging.ts';
import { type Grant, type PermissionSpec, resolveGrant } from '../domain/permissions.ts';
import { type Principal, type Role, roleWithin, type SystemPrincipal } from '../domain/principal.ts';
import {
  generateToken,
  hashToken,
  inspectToken,
  LEGACY_MIN_BODY_LENGTH,
  LEGACY_PREFIX,
  TOKEN_PREFIXES,
  type TokenKind,
  tokenHint,
} from '../domain/token-format.ts';
import { type AuditTarget, auditEntry } from './audit.ts';
import type { Authorizer } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import { firstFreeName, nameFromDescription, validateDescription } from './token-input.ts';
import { grantsAsText, type IssuedToken, type TokenView, toTokenView } from './token-view.ts';

export interface TokenServiceDeps {
  catalog: Catalog;
  index: TokenIndex;
  directory: DatabaseDirectory;
  usage: UsageTracker;
  authorizer: Authorizer;
  now: () => number;
  authEnabled: boolean;
  allowRemoteBootstrap: boolean;
}

const ADMIN: Grant[] = [{ type: 'admin' }];
const TOKEN_KINDS = Object.keys(TOKEN_PREFIXES) as TokenKind[];

/** Everything about a new token but its secret. */
interface TokenDraft {
  kind: TokenKind;
  name: string;
  description: string | null;
  grants: Grant[];
  expiresAt: number | null;
  role?: Role;
}

/** What an edit of a token changes; absent fields stay. Permission edits apply in this order. */
export interface TokenEdit {
  description?: string;
  role?: Role;
  /** null: never expires. */
  expiresAt?: number | null;
  /** Replaces every permission. */
  permissions?: PermissionSpec[];
  addPermissions?: PermissionSpec[];
  /** Drops every permission on these databases (`*` only drops a `*` grant). */
  removeDatabases?: string[];
}

export const TOKEN_SORTS = ['id', 'description', 'created', 'expires', 'last-used', 'prefix', 'revoked'] as const;
export type TokenSort = (typeof TOKEN_SORTS)[number];

/** A token's value for a sort; never-expiring tokens sort after every expiry, unused ones before every use. */
function tokenSortValue(view: TokenView, sort: TokenSort): string | number | null {
  switch (sort) {
    case 'id':
      return null;
    case 'description':
      return view.description ?? '';
    case 'created':
      return view.createdAt;
    case 'expires':
      return view.expiresAt ?? Number.MAX_SAFE_INTEGER;
    case 'last-used':
      return view.lastUsedAt;
    case 'prefix':
      return view.hint;
    case 'revoked':
      return view.revokedAt;
  }
}

/** The longest a rotated-away secret may keep working. */
const MAX_GRACE_MS = 30 * 86_400_000;

function operatorDraft(): TokenDraft {
  return { kind: 'operator', name: OPERATOR_TOKEN_NAME, description: null, grants: ADMIN, expiresAt: null };
}

/**
 * Issues, lists, revokes and regenerates tokens of every kind. The only place token rules live:
 * each method authorizes through the Authorizer (the matrix) and audits what it did or refused.
 */
export class TokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  /** The first operator token, without a credential, while none exists (loopback only by default). */
  async bootstrapOperatorToken(principal: Principal, fromLoopback: boolean): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const target = { kind: 'token', name: OPERATOR_TOKEN_NAME } as const;
    return this.attempt(principal, 'operator_token.create', target, async () => {
      await this.deps.authorizer.authorize(principal, 'operator_token.create', target);
      const existing = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
      if (existing !== undefined) fail('OPERATOR_TOKEN_EXISTS', 'token name already exists, _admin');
      if (principal.kind === 'anonymous' && !fromLoopback && !this.deps.allowRemoteBootstrap) {
        fail(
          'BOOTSTRAP_NOT_LOCAL',
          'the first operator token can only be created from the server machine (start with --allow-remote-bootstrap to permit it from elsewhere)',
        );
      }
      return this.mint(principal, operatorDraft(), 'operator_token.create');
    });
  }

  async createAdminToken(
    principal: Principal,
    input: { name: string; description?: string | null; expiresAt: number | null },
  ): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const target: AuditTarget = { kind: 'token', name: input.name };
    return this.attempt(principal, 'admin_token.create', target, async () => {
      await this.deps.authorizer.authorize(principal, 'admin_token.create', target);
      const name = validateName(input.name, 'token_name');
      const expiresAt = await this.checkExpiry(principal, 'admin_token.create', target, input.expiresAt);
      const draft = { kind: 'admin', name, description: input.description ?? null, grants: ADMIN, expiresAt } as const;
      return this.mint(principal, draft, 'admin_token.create');
    });
  }

  async createDatabaseToken(
    principal: Principal,
    input: {
      name?: string;
      description?: string | null;
      permissions: PermissionSpec[];
      expiresAt: number | null;
      /** The field a bad name is reported under. */
      nameField?: string;
    },
  ): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const action = 'database_token.create';
    const target: AuditTarget = { kind: 'token', name: input.name ?? null };
    return this.attempt(principal, action, target, async () => {
      await this.deps.authorizer.authorize(principal, action, target);
      const description = input.description == null ? null : validateDescription(input.description);
      const name = await this.nameFor(input.name, description, input.nameField ?? 'token_name');
      target.name = name;
      const grants = this.resolveGrants(input.permissions);
      if (!mayGrant(principal, grants)) {
        await this.deps.authorizer.refuse(
          principal,
          action,
          target,
          'GRANT_EXCEEDS_OWN',
          'a token may only grant rights it holds itself',
        );
      }
      const expiresAt = await this.checkExpiry(principal, action, target, input.expiresAt);
      const draft = { kind: 'database', name, description, grants, expiresAt } as const;
      return this.mint(principal, draft, action);
    });
  }

  /**
   * A management token: manages within its role and never touches data. Only a principal that may
   * create them does, and never with a role above its own.
   */
  async createManagementToken(
    principal: Principal,
    input: { name?: string; description: string; role: Role; expiresAt: number | null },
  ): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const action = 'management_token.create';
    const target: AuditTarget = { kind: 'token', name: input.name ?? null };
    return this.attempt(principal, action, target, async () => {
      await this.deps.authorizer.authorize(principal, action, target);
      const description = validateDescription(input.description);
      await this.requireRoleWithin(principal, action, target, input.role);
      const name = await this.nameFor(input.name, description, 'name');
      target.name = name;
      const expiresAt = await this.checkExpiry(principal, action, target, input.expiresAt);
      const draft: TokenDraft = { kind: 'management', name, description, grants: [], expiresAt, role: input.role };
      return this.mint(principal, draft, action);
    });
  }

  /** One token of `kind` by id; a revoked one only when asked for. */
  async getToken(
    principal: Principal,
    kind: TokenKind,
    tokenId: number,
    options: { includeRevoked?: boolean } = {},
  ): Promise<TokenView> {
    this.requireAuthEnabled();
    const action = tokenAction(kind, 'get');
    const target: AuditTarget = { kind: 'token', id: tokenId };
    await this.deps.authorizer.authorize(principal, action, target);
    const record = await this.deps.catalog.getToken(tokenId);
    if (record === undefined || record.kind !== kind || (record.revokedAt !== null && !options.includeRevoked))
      fail('TOKEN_NOT_FOUND', `no ${kind} token has the id ${tokenId}`, { field: 'tokenId' });
    return this.view(record);
  }

  /** Edits a live token of `kind`: description, role, expiry, permissions (see TokenEdit). */
  async editToken(principal: Principal, kind: TokenKind, tokenId: number, edit: TokenEdit): Promise<TokenView> {
    this.requireAuthEnabled();
    const action = tokenAction(kind, 'update');
    const target: AuditTarget = { kind: 'token', id: tokenId };
    return this.attempt(principal, action, target, async () => {
      await this.deps.authorizer.authorize(principal, action, target);
      const record = await this.getActive(kind, tokenId, 'edited');
      target.name = record.name;
      const patch: { description?: string; role?: Role; expiresAt?: number | null; grants?: Grant[] } = {};
      if (edit.description !== undefined) patch.description = validateDescription(edit.description);
      if (edit.role !== undefined) {
        if (kind !== 'management') fail('INVALID_INPUT', 'only management tokens have a role', { field: 'role' });
        await this.requireRoleWithin(principal, action, target, edit.role);
        patch.role = edit.role;
      }
      if (edit.expiresAt !== undefined)
        patch.expiresAt = await this.checkExpiry(principal, action, target, edit.expiresAt);
      const grants = this.editedGrants(record.grants, edit);
      if (grants !== undefined) {
        if (kind !== 'database')
          fail('INVALID_INPUT', `${kind} tokens hold no database permissions`, { field: 'permissions' });
        if (!mayGrant(principal, grants))
          await this.deps.authorizer.refuse(
            principal,
            action,
            target,
            'GRANT_EXCEEDS_OWN',
            'a token may only grant rights it holds itself',
          );
        patch.grants = grants;
      }
      if (Object.keys(patch).length === 0) return this.view(record);
      const now = this.deps.now();
      const updated = await this.deps.catalog.updateToken(
        tokenId,
        patch,
        now,
        principal.tokenId,
        auditEntry(principal, action, { kind: 'token', id: tokenId, name: record.name }, now, 'ok', {
          changed: Object.keys(patch),
          ...(patch.grants === undefined
            ? {}
            : { permissions: grantsAsText(patch.grants, (id) => this.deps.directory.nameOf(id)) }),
        }),
      );
      await this.applied(tokenId, async () =>
        this.deps.index.put(updated, await this.deps.catalog.getTokenSecrets(tokenId, now)),
      );
      return this.view(updated);
    });
  }

  /**
   * A new secret for a live token of `kind`, same id, rights and expiry. The old secret keeps working
   * for `graceMs` (at most 30 days), and dies at once without one.
   */
  async rotateToken(
    principal: Principal,
    kind: TokenKind,
    tokenId: number,
    graceMs: number,
  ): Promise<IssuedToken & { graceEndsAt: number | null }> {
    this.requireAuthEnabled();
    const action = tokenAction(kind, 'rotate');
    const target: AuditTarget = { kind: 'token', id: tokenId };
    return this.attempt(principal, action, target, async () => {
      await this.deps.authorizer.authorize(principal, action, target);
      if (graceMs > MAX_GRACE_MS) fail('INVALID_INPUT', 'grace may be at most 30d', { field: 'grace' });
      const record = await this.getActive(kind, tokenId, 'rotated');
      target.name = record.name;
      const issued = await this.replaceSecret(principal, record, graceMs, action);
      return { ...issued, graceEndsAt: graceMs > 0 ? this.deps.now() + graceMs : null };
    });
  }

  /** Revokes a live token of `kind` by id (the management API's DELETE). */
  async revokeTokenOfKind(principal: Principal, kind: TokenKind, tokenId: number): Promise<TokenView> {
    this.requireAuthEnabled();
    const target: AuditTarget = { kind: 'token', id: tokenId };
    return this.attempt(principal, tokenAction(kind, 'revoke'), target, async () => {
      await this.deps.authorizer.authorize(principal, tokenAction(kind, 'revoke'), target);
      const record = await this.getActive(kind, tokenId, 'revoked');
      target.name = record.name;
      return this.revoke(principal, record);
    });
  }

  /** A new secret for `_admin`, same id; the old secret dies at once unless a grace period is given. */
  async regenerateOperatorToken(principal: Principal, graceMs = 0): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const action = 'operator_token.rotate';
    const target = { kind: 'token', name: OPERATOR_TOKEN_NAME } as const;
    return this.attempt(principal, action, target, async () => {
      await this.deps.authorizer.authorize(principal, action, target);
      const operator = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
      if (operator === undefined)
        fail('OPERATOR_TOKEN_MISSING', 'there is no operator token yet: create it with `create token --admin`');
      return this.replaceSecret(principal, operator, graceMs, action);
    });
  }

  /** Recovery (listener or offline command), server only: regenerate `_admin`, or create it when it is missing. */
  async recoverOperatorToken(principal: SystemPrincipal): Promise<IssuedToken> {
    const operator = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
    if (operator === undefined) return this.mint(principal, operatorDraft(), 'operator_token.recover');
    return this.replaceSecret(principal, operator, 0, 'operator_token.recover');
  }

  /** Every token of the given kinds the principal may list; refused when it may not list one of them. */
  async listTokens(
    principal: Principal,
    options: { includeRevoked?: boolean; kinds?: readonly TokenKind[] } = {},
  ): Promise<TokenView[]> {
    this.requireAuthEnabled();
    const kinds = options.kinds ?? TOKEN_KINDS;
    for (const kind of kinds)
      await this.deps.authorizer.authorize(principal, tokenAction(kind, 'list'), { kind: 'token' });
    const records = await this.deps.catalog.listTokens({ includeRevoked: options.includeRevoked ?? false });
    return records.filter((record) => kinds.includes(record.kind)).map((record) => this.view(record));
  }

  /** One page of the tokens of `kind` (null: of every kind), in the order `sort` names (ties by id). */
  async listTokenPage(
    principal: Principal,
    kind: TokenKind | null,
    options: { includeRevoked: boolean; sort: TokenSort; page: PageRequest },
  ): Promise<Page<TokenView>> {
    const kinds = kind === null ? undefined : [kind];
    const views = await this.listTokens(principal, { includeRevoked: options.includeRevoked, kinds });
    return pageOf(views, (view) => [tokenSortValue(view, options.sort), view.id], options.page);
  }

  /** Revokes by name (the influxdb3 `delete token`). The operator token cannot be revoked. */
  async revokeTokenByName(principal: Principal, name: string): Promise<TokenView> {
    this.requireAuthEnabled();
    const target: AuditTarget = { kind: 'token', name };
    return this.attempt(principal, 'token.revoke', target, async () => {
      await this.requireSomeKind(principal, 'revoke', target);
      const record = await this.deps.catalog.findTokenByName(name);
      if (record === undefined)
        fail('TOKEN_NOT_FOUND', `the requested resource was not found: no token named '${name}'`);
      target.id = record.id;
      return this.revoke(principal, record);
    });
  }

  async revokeToken(principal: Principal, tokenId: number): Promise<TokenView> {
    this.requireAuthEnabled();
    const target: AuditTarget = { kind: 'token', id: tokenId };
    return this.attempt(principal, 'token.revoke', target, async () => {
      await this.requireSomeKind(principal, 'revoke', target);
      const record = await this.getLive(tokenId);
      target.name = record.name;
      return this.revoke(principal, record);
    });
  }

  /**
   * Registers a token whose string the operator chose (`--admin-token-file`), server only. A name that
   * already exists is left alone (as InfluxDB 3 does), so a stale file cannot overwrite a rotated token.
   */
  async importAdminToken(
    principal: SystemPrincipal,
    input: { token: string; name: string; expiresAt: number | null },
  ): Promise<'created' | 'exists'> {
    const name = input.name === OPERATOR_TOKEN_NAME ? input.name : validateName(input.name, 'token_name');
    checkImportable(input.token);
    if (input.expiresAt !== null) requireFuture(input.expiresAt, this.deps.now(), 'expiry_millis');
    if ((await this.deps.catalog.findTokenByName(name)) !== undefined) return 'exists';
    const kind: TokenKind = name === OPERATOR_TOKEN_NAME ? 'operator' : 'admin';
    try {
      const draft = { kind, name, description: null, grants: ADMIN, expiresAt: input.expiresAt };
      await this.store(principal, draft, input.token, `${kind}_token.import`);
    } catch (error) {
      if (!(isFluxgateError(error) && error.code === 'TOKEN_HASH_TAKEN')) throw error;
      fail(
        'TOKEN_HASH_TAKEN',
        `this token string was registered before under another name or was revoked; create a new token file`,
        {
          field: 'token',
        },
      );
    }
    return 'created';
  }

  /** Authorizes the verb on the target's kind once the target is known, so existence never leaks to a stranger first. */
  private async requireSomeKind(principal: Principal, verb: TokenVerb, target: AuditTarget): Promise<void> {
    if (TOKEN_KINDS.some((kind) => this.deps.authorizer.allows(principal, tokenAction(kind, verb)))) return;
    await this.deps.authorizer.authorize(principal, tokenAction('database', verb), target);
  }

  private resolveGrants(permissions: readonly PermissionSpec[], field = 'permissions'): Grant[] {
    return permissions.map((spec, i) => {
      if (spec.resourceType === 'admin') {
        fail('INVALID_PERMISSION', '*:*:* is only for admin tokens: create one with `create token --admin`', {
          field: `${field}[${i}]`,
        });
      }
      return resolveGrant(spec, (db) => this.deps.directory.byNameOf(db)?.id, `${field}[${i}]`);
    });
  }

  private async mint(principal: Principal, draft: TokenDraft, action: string): Promise<IssuedToken> {
    const secret = generateToken(draft.kind);
    const record = await this.store(principal, draft, secret, action);
    return { token: this.view(record), secret };
  }

  private async store(principal: Principal, draft: TokenDraft, secret: string, action: string): Promise<TokenRecord> {
    const { kind, name, description, grants, expiresAt, role } = draft;
    const now = this.deps.now();
    const hash = hashToken(secret);
    const audit = auditEntry(principal, action, { kind: 'token', name }, now, 'ok', {
      kind,
      expiresAt,
      permissions: grantsAsText(grants, (id) => this.deps.directory.nameOf(id)),
    });
    try {
      const record = await this.deps.catalog.createToken(
        {
          kind,
          name,
          description,
          hint: tokenHint(secret),
          createdAt: now,
          createdBy: principal.tokenId,
          expiresAt,
          grants,
          role: role ?? null,
        },
        hash,
        audit,
      );
      await this.applied(record.id, () => this.deps.index.put(record, [{ hash, tokenId: record.id, retiresAt: null }]));
      return record;
    } catch (error) {
      if (isFluxgateError(error) && error.code === 'TOKEN_NAME_TAKEN') {
        if (name === OPERATOR_TOKEN_NAME)
          throw new FluxgateError('OPERATOR_TOKEN_EXISTS', 'token name already exists, _admin');
        throw new FluxgateError('TOKEN_NAME_TAKEN', `token name already exists, ${name}`, { field: 'name' });
      }
      throw error;
    }
  }

  private async replaceSecret(
    principal: Principal,
    token: TokenRecord,
    graceMs: number,
    action: string,
  ): Promise<IssuedToken> {
    if (!Number.isSafeInteger(graceMs) || graceMs < 0)
      fail('INVALID_INPUT', 'the grace period must be zero or positive', { field: 'grace' });
    const now = this.deps.now();
    const secret = generateToken(token.kind);
    const hash = hashToken(secret);
    const previous = await this.deps.catalog.getTokenSecrets(token.id, now);
    const record = await this.deps.catalog.replaceTokenSecret(
      token.id,
      hash,
      { at: now, by: principal.tokenId, hint: tokenHint(secret), oldRetireAt: graceMs > 0 ? now + graceMs : null },
      auditEntry(principal, action, { kind: 'token', id: token.id, name: token.name }, now, 'ok', { graceMs }),
    );
    await this.applied(token.id, async () => {
      this.deps.index.put(record, await this.deps.catalog.getTokenSecrets(token.id, now));
      if (graceMs === 0) this.deps.index.rememberRevoked(previous.map((s) => s.hash));
    });
    return { token: this.view(record), secret };
  }

  private async revoke(principal: Principal, record: TokenRecord): Promise<TokenView> {
    const action = tokenAction(record.kind, 'revoke');
    const target = { kind: 'token', id: record.id, name: record.name } as const;
    await this.deps.authorizer.authorize(principal, action, target);
    const now = this.deps.now();
    await this.deps.catalog.revokeToken(record.id, now, principal.tokenId, auditEntry(principal, action, target, now));
    await this.applied(record.id, () => this.deps.index.revoke(record.id));
    return this.view({ ...record, revokedAt: now });
  }

  /**
   * Every token mutation ends here, once the catalog has committed it: the change is applied to this
   * node's TokenIndex (inside `exclusive`, so a change-feed read taken before it cannot undo it).
   * The one place for anything a committed token change must wait for before it is answered.
   */
  private async applied(_tokenId: number, apply: () => void | Promise<void>): Promise<void> {
    await this.deps.index.exclusive(apply);
  }

  /** A token of `kind` that can still be changed: 404 when there is none, 409 when revoked or expired. */
  private async getActive(kind: TokenKind, tokenId: number, verb: string): Promise<TokenRecord> {
    const record = await this.deps.catalog.getToken(tokenId);
    if (record === undefined || record.kind !== kind)
      fail('TOKEN_NOT_FOUND', `no ${kind} token has the id ${tokenId}`, { field: 'tokenId' });
    if (record.revokedAt !== null) fail('TOKEN_INACTIVE', `token ${tokenId} is revoked and cannot be ${verb}`);
    if (record.expiresAt !== null && record.expiresAt <= this.deps.now())
      fail('TOKEN_INACTIVE', `token ${tokenId} has expired and cannot be ${verb}`);
    return record;
  }

  private async requireRoleWithin(principal: Principal, action: ManagementAction, target: AuditTarget, role: Role) {
    const ceiling = roleCeilingOf(principal);
    if (ceiling === null || !roleWithin(role, ceiling))
      await this.deps.authorizer.refuse(
        principal,
        action,
        target,
        'ROLE_EXCEEDS_OWN',
        `the ${role} role is above its own (${ceiling ?? 'none'}); a token it makes may not outrank it`,
      );
  }

  /** The grants after an edit's permissions → addPermissions → removeDatabases; undefined when it has none. */
  private editedGrants(current: readonly Grant[], edit: TokenEdit): Grant[] | undefined {
    if (edit.permissions === undefined && edit.addPermissions === undefined && edit.removeDatabases === undefined)
      return undefined;
    let grants = edit.permissions === undefined ? [...current] : this.resolveGrants(edit.permissions, 'permissions');
    if (edit.addPermissions !== undefined) grants.push(...this.resolveGrants(edit.addPermissions, 'addPermissions'));
    for (const [i, name] of (edit.removeDatabases ?? []).entries()) {
      if (name === '*') {
        grants = grants.filter((grant) => !(grant.type === 'db' && grant.databases === '*'));
        continue;
      }
      const id = this.deps.directory.byNameOf(name)?.id;
      if (id === undefined)
        fail('INVALID_PERMISSION', `database '${name}' does not exist`, { field: `removeDatabases[${i}]` });
      grants = grants.flatMap((grant) => {
        if (grant.type !== 'db' || grant.databases === '*') return [grant];
        const rest = grant.databases.filter((db) => db !== id);
        return rest.length === 0 ? [] : [{ ...grant, databases: rest }];
      });
    }
    return grants;
  }

  /** The given name, or one derived from the description (`deploy bot` → `deploy-bot`, then `deploy-bot-2`). */
  private async nameFor(name: string | undefined, description: string | null | undefined, field: string) {
    if (name !== undefined) return validateName(name, field);
    if (typeof description !== 'string' || description.trim() === '')
      fail('INVALID_NAME', `${field} is required`, { field });
    const base = nameFromDescription(description);
    return firstFreeName(base, async (candidate) => (await this.deps.catalog.findTokenByName(candidate)) !== undefined);
  }

  private async getLive(tokenId: number): Promise<TokenRecord> {
    const record = await this.deps.catalog.getToken(tokenId);
    if (record === undefined || record.revokedAt !== null)
      fail('TOKEN_NOT_FOUND', `no active token has the id ${tokenId}`);
    return record;
  }

  /** In the future, and no later than the principal's own limit (a refusal, audited): expiryCeilingOf. */
  private async checkExpiry(
    principal: Principal,
    action: ManagementAction,
    target: AuditTarget,
    expiresAt: number | null,
  ): Promise<number | null> {
    if (expiresAt !== null) requireFuture(expiresAt, this.deps.now(), 'expiry');
    const ceiling = expiryCeilingOf(principal);
    if (!expiresWithin(expiresAt, ceiling)) {
      await this.deps.authorizer.refuse(
        principal,
        action,
        target,
        'EXPIRY_EXCEEDS_OWN',
        `it expires at ${new Date(ceiling).toISOString()} and a token it makes must expire no later`,
      );
    }
    return expiresAt;
  }

  /** `action` names the attempt in the audit log when it fails; `token.revoke` while the kind is not known yet. */
  private attempt<T>(principal: Principal, action: string, target: AuditTarget, work: () => Promise<T>): Promise<T> {
    return this.deps.authorizer.attempt(principal, action, target, work);
  }

  private requireAuthEnabled(): void {
    if (!this.deps.authEnabled) fail('AUTH_DISABLED', 'endpoint disabled, started without auth');
  }

  private view(record: TokenRecord): TokenView {
    return toTokenView(
      record,
      this.deps.now(),
      (id) => this.deps.directory.nameOf(id),
      this.deps.usage.pendingFor(record.id),
    );
  }
}

/** A chosen token string must be one of ours with a valid checksum, or InfluxDB's with ≥ 128 bits. */
function checkImportable(token: string): void {
  const shape = inspectToken(token);
  if (!shape.valid)
    fail('INVALID_INPUT', `the token in the file is not valid (${shape.reason.replace('_', ' ')})`, { field: 'token' });
  if (shape.kind === 'legacy' && token.length - LEGACY_PREFIX.length < LEGACY_MIN_BODY_LENGTH) {
    fail(
      'INVALID_INPUT',
      `an ${LEGACY_PREFIX} token must carry at least 128 bits (${LEGACY_MIN_BODY_LENGTH} characters after the prefix)`,
      {
        field: 'token',
      },
    );
  }
  if (shape.kind !== 'legacy' && shape.kind !== 'operator' && shape.kind !== 'admin') {
    fail('INVALID_INPUT', `the token in the file is a ${shape.kind} token, not an admin token`, { field: 'token' });
  }
}
