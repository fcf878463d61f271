import type { Principal } from '../auth/principal.ts';
import type { TokenIndex } from '../auth/token-index.ts';
import type { UsageTracker } from '../auth/usage-tracker.ts';
import type { Catalog, TokenRecord } from '../catalog/catalog.ts';
import { requireFuture } from '../domain/durations.ts';
import { FluxgateError, fail, isFluxgateError } from '../domain/errors.ts';
import { OPERATOR_TOKEN_NAME, validateName } from '../domain/names.ts';
import { type Grant, type PermissionSpec, resolveGrant } from '../domain/permissions.ts';
import {
  generateToken,
  hashToken,
  inspectToken,
  LEGACY_MIN_BODY_LENGTH,
  LEGACY_PREFIX,
  type TokenKind,
  tokenHint,
} from '../domain/token-format.ts';
import { auditAttempt, auditEntry } from './audit.ts';
import { authorize } from './authorize.ts';
import type { DatabaseDirectory } from './database-directory.ts';
import { grantsAsText, type IssuedToken, type TokenView, toTokenView } from './token-view.ts';

export interface TokenServiceDeps {
  catalog: Catalog;
  index: TokenIndex;
  directory: DatabaseDirectory;
  usage: UsageTracker;
  now: () => number;
  onError: (error: unknown) => void;
  authEnabled: boolean;
  allowRemoteBootstrap: boolean;
}

const ADMIN: Grant[] = [{ type: 'admin' }];

/** Everything about a new token but its secret. */
interface TokenDraft {
  kind: TokenKind;
  name: string;
  description: string | null;
  grants: Grant[];
  expiresAt: number | null;
}

function operatorDraft(): TokenDraft {
  return { kind: 'operator', name: OPERATOR_TOKEN_NAME, description: null, grants: ADMIN, expiresAt: null };
}
const NEED_ADMIN = { kind: 'admin' } as const;

/** Issues, lists, revokes and regenerates tokens. The only place token rules live. */
export class TokenService {
  constructor(private readonly deps: TokenServiceDeps) {}

  /** The first operator token, without a credential, while none exists (loopback only by default). */
  async bootstrapOperatorToken(principal: Principal, fromLoopback: boolean): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const existing = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
    if (existing !== undefined) fail('OPERATOR_TOKEN_EXISTS', 'token name already exists, _admin');
    if (!fromLoopback && !this.deps.allowRemoteBootstrap) {
      fail(
        'BOOTSTRAP_NOT_LOCAL',
        'the first operator token can only be created from the server machine (start with --allow-remote-bootstrap to permit it from elsewhere)',
      );
    }
    return this.mint(principal, operatorDraft(), 'create_operator_token');
  }

  async createAdminToken(
    principal: Principal,
    input: { name: string; description?: string | null; expiresAt: number | null },
  ): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const name = validateName(input.name, 'token_name');
    await authorize(this.context(), principal, NEED_ADMIN, 'create_admin_token', { kind: 'token', name });
    const expiresAt = this.checkExpiry(principal, input.expiresAt);
    const draft = { kind: 'admin', name, description: input.description ?? null, grants: ADMIN, expiresAt } as const;
    return this.mint(principal, draft, 'create_admin_token');
  }

  async createDatabaseToken(
    principal: Principal,
    input: { name: string; description?: string | null; permissions: PermissionSpec[]; expiresAt: number | null },
  ): Promise<IssuedToken> {
    this.requireAuthEnabled();
    const name = validateName(input.name, 'token_name');
    await authorize(this.context(), principal, NEED_ADMIN, 'create_database_token', { kind: 'token', name });
    if (input.permissions.length === 0) {
      fail('INVALID_PERMISSION', 'a database token needs at least one permission', { field: 'permissions' });
    }
    const grants = input.permissions.map((spec, i) => {
      if (spec.resourceType === 'admin') {
        fail('INVALID_PERMISSION', '*:*:* is only for admin tokens: create one with `create token --admin`', {
          field: `permissions[${i}]`,
        });
      }
      return resolveGrant(spec, (db) => this.deps.directory.byNameOf(db)?.id, `permissions[${i}]`);
    });
    if (!principal.authority.covers(grants)) {
      fail('GRANT_EXCEEDS_OWN', `the token '${principal.name}' cannot grant rights it does not hold itself`);
    }
    const expiresAt = this.checkExpiry(principal, input.expiresAt);
    const draft = { kind: 'database', name, description: input.description ?? null, grants, expiresAt } as const;
    return this.mint(principal, draft, 'create_database_token');
  }

  /** A new secret for `_admin`, same id; the old secret dies at once unless a grace period is given. */
  async regenerateOperatorToken(principal: Principal, graceMs = 0): Promise<IssuedToken> {
    this.requireAuthEnabled();
    if (principal.kind !== 'system' && principal.tokenKind !== 'operator') {
      const target = { kind: 'token', name: OPERATOR_TOKEN_NAME } as const;
      const entry = auditEntry(principal, 'regenerate_operator_token', target, this.deps.now(), 'denied');
      await auditAttempt(this.deps.catalog, entry, this.deps.onError);
      fail(
        'PERMISSION_DENIED',
        `only the operator token itself can regenerate _admin (the token '${principal.name}' is ${/^[aeiou]/.test(principal.tokenKind ?? '') ? 'an' : 'a'} ${principal.tokenKind} token)`,
      );
    }
    const operator = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
    if (operator === undefined)
      fail('OPERATOR_TOKEN_MISSING', 'there is no operator token yet: create it with `create token --admin`');
    return this.replaceSecret(principal, operator, graceMs, 'regenerate_operator_token');
  }

  /** Recovery (listener or offline command): regenerate `_admin`, or create it when it is missing. */
  async recoverOperatorToken(principal: Principal): Promise<IssuedToken> {
    const operator = await this.deps.catalog.findTokenByName(OPERATOR_TOKEN_NAME);
    if (operator === undefined) return this.mint(principal, operatorDraft(), 'recover_operator_token');
    return this.replaceSecret(principal, operator, 0, 'recover_operator_token');
  }

  async listTokens(principal: Principal, options: { includeRevoked?: boolean } = {}): Promise<TokenView[]> {
    this.requireAuthEnabled();
    await authorize(this.context(), principal, NEED_ADMIN, 'list_tokens', { kind: 'token' });
    const records = await this.deps.catalog.listTokens({ includeRevoked: options.includeRevoked ?? false });
    return records.map((record) => this.view(record));
  }

  /** Revokes by name (the influxdb3 `delete token`). The operator token cannot be revoked. */
  async revokeTokenByName(principal: Principal, name: string): Promise<TokenView> {
    this.requireAuthEnabled();
    await authorize(this.context(), principal, NEED_ADMIN, 'revoke_token', { kind: 'token', name });
    if (name === OPERATOR_TOKEN_NAME) refuseOperatorRevocation();
    const record = await this.deps.catalog.findTokenByName(name);
    if (record === undefined) fail('TOKEN_NOT_FOUND', `the requested resource was not found: no token named '${name}'`);
    return this.revoke(principal, record);
  }

  async revokeToken(principal: Principal, tokenId: number): Promise<TokenView> {
    this.requireAuthEnabled();
    const record = await this.getLive(tokenId);
    await authorize(this.context(), principal, NEED_ADMIN, 'revoke_token', {
      kind: 'token',
      id: record.id,
      name: record.name,
    });
    if (record.kind === 'operator') refuseOperatorRevocation();
    return this.revoke(principal, record);
  }

  /**
   * Registers a token whose string the operator chose (`--admin-token-file`). A name that already
   * exists is left alone (as InfluxDB 3 does), so a stale file cannot overwrite a rotated token.
   */
  async importAdminToken(
    principal: Principal,
    input: { token: string; name: string; expiresAt: number | null },
  ): Promise<'created' | 'exists'> {
    const name = input.name === OPERATOR_TOKEN_NAME ? input.name : validateName(input.name, 'token_name');
    checkImportable(input.token);
    if (input.expiresAt !== null) requireFuture(input.expiresAt, this.deps.now(), 'expiry_millis');
    if ((await this.deps.catalog.findTokenByName(name)) !== undefined) return 'exists';
    const kind: TokenKind = name === OPERATOR_TOKEN_NAME ? 'operator' : 'admin';
    try {
      const draft = { kind, name, description: null, grants: ADMIN, expiresAt: input.expiresAt };
      await this.store(principal, draft, input.token, 'import_admin_token');
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

  private async mint(principal: Principal, draft: TokenDraft, action: string): Promise<IssuedToken> {
    const secret = generateToken(draft.kind);
    const record = await this.store(principal, draft, secret, action);
    return { token: this.view(record), secret };
  }

  private async store(principal: Principal, draft: TokenDraft, secret: string, action: string): Promise<TokenRecord> {
    const { kind, name, description, grants, expiresAt } = draft;
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
        },
        hash,
        audit,
      );
      await this.deps.index.exclusive(() =>
        this.deps.index.put(record, [{ hash, tokenId: record.id, retiresAt: null }]),
      );
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
    await this.deps.index.exclusive(async () => {
      this.deps.index.put(record, await this.deps.catalog.getTokenSecrets(token.id, now));
      if (graceMs === 0) this.deps.index.rememberRevoked(previous.map((s) => s.hash));
    });
    return { token: this.view(record), secret };
  }

  private async revoke(principal: Principal, record: TokenRecord): Promise<TokenView> {
    const now = this.deps.now();
    await this.deps.catalog.revokeToken(
      record.id,
      now,
      principal.tokenId,
      auditEntry(principal, 'revoke_token', { kind: 'token', id: record.id, name: record.name }, now),
    );
    await this.deps.index.exclusive(() => this.deps.index.revoke(record.id));
    return this.view({ ...record, revokedAt: now });
  }

  private async getLive(tokenId: number): Promise<TokenRecord> {
    const record = await this.deps.catalog.getToken(tokenId);
    if (record === undefined || record.revokedAt !== null)
      fail('TOKEN_NOT_FOUND', `no active token has the id ${tokenId}`);
    return record;
  }

  private checkExpiry(principal: Principal, expiresAt: number | null): number | null {
    if (expiresAt !== null) requireFuture(expiresAt, this.deps.now(), 'expiry');
    if ((expiresAt ?? Number.POSITIVE_INFINITY) > principal.expiresAt) {
      fail(
        'EXPIRY_EXCEEDS_OWN',
        `the token '${principal.name}' expires at ${new Date(principal.expiresAt).toISOString()}; a token it creates must expire no later`,
        { field: 'expiry' },
      );
    }
    return expiresAt;
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

  private context() {
    return { catalog: this.deps.catalog, now: this.deps.now, onError: this.deps.onError };
  }
}

function refuseOperatorRevocation(): never {
  fail(
    'OPERATOR_TOKEN_UNDELETABLE',
    'cannot delete operator token: regenerate it with `create token --admin --regenerate`',
  );
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
