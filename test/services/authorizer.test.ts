/**
 * The services' one `authorize`, against a real (in-memory SQLite) catalog: every refusal and every
 * failed attempt is audited once, in one shape, and server-only methods check for themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TokenIndex } from '../../src/auth/token-index.ts';
import { UsageTracker } from '../../src/auth/usage-tracker.ts';
import type { AuditRecord, Catalog } from '../../src/catalog/catalog.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { FluxgateError } from '../../src/domain/errors.ts';
import { Authority, dbActionBits } from '../../src/domain/permissions.ts';
import { type Principal, type Role, systemPrincipal } from '../../src/domain/principal.ts';
import type { TokenKind } from '../../src/domain/token-format.ts';
import { CatalogAttemptLog } from '../../src/services/audit.ts';
import { Authorizer } from '../../src/services/authorize.ts';
import { DatabaseDirectory } from '../../src/services/database-directory.ts';
import { DatabaseService } from '../../src/services/database-service.ts';
import { TokenService } from '../../src/services/token-service.ts';

function principal(kind: TokenKind, role: Role | null, authority = new Authority([])): Principal {
  return {
    kind: 'token',
    tokenId: 77,
    tokenKind: kind,
    role,
    name: `${role ?? kind}-token`,
    authority,
    expiresAt: Number.POSITIVE_INFINITY,
    sourceIp: '10.1.2.3',
    requestId: 'req-42',
  };
}

const ADMIN = principal('admin', null, new Authority([{ type: 'admin' }]));
const MEMBER = principal('management', 'member');

describe('Authorizer in the services', () => {
  let catalog: Catalog;
  let tokens: TokenService;
  let databases: DatabaseService;

  before(async () => {
    catalog = await openCatalog({ kind: 'sqlite', file: ':memory:' });
    const now = () => Date.now();
    const authorizer = new Authorizer(new CatalogAttemptLog(catalog, (e) => assert.fail(String(e))), now);
    const directory = new DatabaseDirectory();
    tokens = new TokenService({
      catalog,
      index: new TokenIndex({ maxEntries: 100, maxRemembered: 100 }),
      directory,
      usage: new UsageTracker(catalog, () => {}),
      authorizer,
      now,
      authEnabled: true,
      allowRemoteBootstrap: false,
    });
    databases = new DatabaseService({
      catalog,
      directory,
      authorizer,
      now,
      defaults: { maxTables: 10, maxColumnsPerTable: 10 },
    });
  });
  after(() => catalog.close());

  const newest = async (): Promise<AuditRecord> => {
    const [record] = await catalog.listAudit({ limit: 1 });
    assert.ok(record, 'an audit record');
    return record;
  };
  const rejection = async (promise: Promise<unknown>, code: string): Promise<FluxgateError> => {
    let caught: unknown;
    await promise.catch((error: unknown) => {
      caught = error;
    });
    assert.ok(caught instanceof FluxgateError, `expected ${code}, got ${String(caught)}`);
    assert.equal(caught.code, code, caught.message);
    return caught;
  };

  test('a refusal is thrown with the one message shape and audited once as denied', async () => {
    const before = (await catalog.listAudit({ limit: 1000 })).length;
    const error = await rejection(
      tokens.createAdminToken(MEMBER, { name: 'sneaky', expiresAt: null }),
      'PERMISSION_DENIED',
    );
    assert.equal(
      error.message,
      "the management token 'member-token' (role member) may not create admin tokens 'sneaky': that needs the operator token or an admin token",
    );
    const record = await newest();
    assert.deepEqual(
      {
        action: record.action,
        outcome: record.outcome,
        actor: record.actorName,
        actorId: record.actorTokenId,
        target: record.targetName,
        source: record.sourceIp,
        details: record.details,
      },
      {
        action: 'admin_token.create',
        outcome: 'denied',
        actor: 'member-token',
        actorId: 77,
        target: 'sneaky',
        source: '10.1.2.3',
        details: { code: 'PERMISSION_DENIED', reason: error.message },
      },
    );
    assert.equal((await catalog.listAudit({ limit: 1000 })).length, before + 1, 'recorded exactly once');
    assert.deepEqual(await catalog.listTokens(), [], 'nothing was created');
  });

  test('a failed attempt (bad input) is audited as failed with its code; nothing is written', async () => {
    await rejection(tokens.createAdminToken(ADMIN, { name: 'bad name!', expiresAt: null }), 'INVALID_NAME');
    const record = await newest();
    assert.equal(record.action, 'admin_token.create');
    assert.equal(record.outcome, 'failed');
    assert.equal(record.details.code, 'INVALID_NAME');
    assert.deepEqual(await catalog.listTokens(), []);
  });

  test('a past expiry is a failed attempt; an expiry past the maker is a refusal', async () => {
    await rejection(tokens.createAdminToken(ADMIN, { name: 'old', expiresAt: Date.now() - 1000 }), 'INVALID_EXPIRY');
    assert.equal((await newest()).outcome, 'failed');
    const expiring = { ...ADMIN, expiresAt: Date.now() + 60_000 };
    await rejection(tokens.createAdminToken(expiring, { name: 'longer', expiresAt: null }), 'EXPIRY_EXCEEDS_OWN');
    const record = await newest();
    assert.equal(record.outcome, 'denied');
    assert.equal(record.details.code, 'EXPIRY_EXCEEDS_OWN');
  });

  test('a signed-in user makes a token that outlives their session, within their group, audited by subject', async () => {
    const session: Principal = {
      kind: 'user',
      tokenId: null,
      tokenKind: null,
      role: 'admin',
      subject: 'sub-dana',
      name: 'Dana',
      authority: new Authority([]),
      expiresAt: Date.now() + 3_600_000,
      sourceIp: '10.1.2.4',
    };
    const made = await tokens.createManagementToken(session, { description: 'CI', role: 'admin', expiresAt: null });
    assert.equal(made.token.expiresAt, null);
    const record = await newest();
    assert.deepEqual(
      [record.action, record.outcome, record.actorKind, record.actorName, record.details.actorSubject],
      ['management_token.create', 'ok', 'user', 'Dana', 'sub-dana'],
    );
    const member = { ...session, role: 'member' as const };
    await rejection(
      tokens.createManagementToken(member, { description: 'no', role: 'auditor', expiresAt: null }),
      'PERMISSION_DENIED',
    );
    const refused = await newest();
    assert.deepEqual([refused.outcome, refused.details.actorSubject], ['denied', 'sub-dana']);
  });

  test('revoking by name does not tell a stranger whether the name exists', async () => {
    await tokens.createAdminToken(ADMIN, { name: 'ops', expiresAt: null });
    const auditor = principal('management', 'auditor');
    await rejection(tokens.revokeTokenByName(auditor, 'ops'), 'PERMISSION_DENIED');
    await rejection(tokens.revokeTokenByName(auditor, 'nobody'), 'PERMISSION_DENIED');
    // A Member may revoke database tokens, so it may learn a name is unknown, but not touch an admin token.
    await rejection(tokens.revokeTokenByName(MEMBER, 'nobody'), 'TOKEN_NOT_FOUND');
    await rejection(tokens.revokeTokenByName(MEMBER, 'ops'), 'PERMISSION_DENIED');
    assert.equal((await newest()).action, 'admin_token.revoke');
  });

  test('create-on-write checks the writer itself, whoever calls it', async () => {
    const server = systemPrincipal('create-on-write');
    const reader = principal(
      'database',
      null,
      new Authority([{ type: 'db', databases: '*', actions: dbActionBits('read') }]),
    );
    await rejection(databases.createDatabaseForWrite(server, reader, 'made-by-read'), 'DATABASE_NOT_FOUND');
    const writer = principal(
      'database',
      null,
      new Authority([{ type: 'db', databases: '*', actions: dbActionBits('write') }]),
    );
    await databases.createDatabaseForWrite(server, writer, 'made-by-write');
    const record = await newest();
    assert.deepEqual(
      [record.action, record.actorName, record.targetName],
      ['database.create', 'database-token', 'made-by-write'],
    );
  });
});
