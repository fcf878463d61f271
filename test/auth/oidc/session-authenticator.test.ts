import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OidcVerifier } from '../../../src/auth/oidc/oidc-verifier.ts';
import { SessionAuthenticator } from '../../../src/auth/oidc/session-authenticator.ts';
import { SessionFailure, type SessionFailureReason } from '../../../src/auth/oidc/session-failure.ts';
import { systemPrincipal } from '../../../src/auth/principal.ts';
import { UsageTracker } from '../../../src/auth/usage-tracker.ts';
import type { Catalog } from '../../../src/catalog/catalog.ts';
import { openCatalog } from '../../../src/catalog/open-catalog.ts';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { NO_AUTHORITY, type Principal } from '../../../src/domain/principal.ts';
import { UserDirectory } from '../../../src/services/user-directory.ts';
import { UserService } from '../../../src/services/user-service.ts';
import { TestIdp } from '../../helpers/test-idp.ts';

const ADMIN_ACTOR = systemPrincipal('test-admin', '127.0.0.1');

describe('signed-in users and their groups', () => {
  let idp: TestIdp;
  let catalog: Catalog;
  let users: UserService;
  let sessions: SessionAuthenticator;
  let directory: UserDirectory;

  const build = (adminSubjects: string[]) => {
    directory = new UserDirectory();
    const lastSeen = new UsageTracker(
      { recordLastUsed: (entries) => catalog.recordLastSeen(entries.map((e) => ({ userId: e.tokenId, at: e.at }))) },
      () => {},
    );
    users = new UserService({
      catalog,
      directory,
      lastSeen,
      adminSubjects: new Set(adminSubjects),
      now: Date.now,
      authorize: async () => {},
    });
    const verifier = new OidcVerifier({
      issuer: idp.issuer,
      audience: idp.audience,
      jwksCooldownMs: 0,
      discoveryRetryMs: 0,
      timeoutMs: 5000,
      clockToleranceSeconds: 5,
      now: Date.now,
    });
    sessions = new SessionAuthenticator({ verifier, users, groupClaim: 'groups', now: Date.now });
  };

  const refused = async (sub: string, reason: SessionFailureReason) => {
    await assert.rejects(sessions.authenticate(await idp.signIn(sub)), (error: unknown) => {
      assert.ok(error instanceof SessionFailure);
      assert.equal(error.reason, reason);
      return true;
    });
  };

  before(async () => {
    idp = await TestIdp.start();
    catalog = await openCatalog({ kind: 'sqlite', file: ':memory:' });
    build(['root-admin']);
    await users.declareAdmins({ tokenId: null, name: 'startup', sourceIp: null });
  });
  after(async () => {
    await catalog.close();
    await idp.stop();
  });

  test('a subject named by --oidc-admin-subjects is an Admin, whatever its claim says', async () => {
    idp.setAccount({ sub: 'root-admin', groups: 'auditor', name: 'Root' });
    const identity = await sessions.authenticate(await idp.signIn('root-admin'));
    assert.equal(identity.role, 'admin');
    assert.equal(identity.displayName, 'Root');
    await assert.rejects(users.remove(ADMIN_ACTOR, 'root-admin'), { code: 'USER_DECLARED_AT_STARTUP' });
    await assert.rejects(users.update(ADMIN_ACTOR, 'root-admin', { group: 'member' }), {
      code: 'USER_DECLARED_AT_STARTUP',
    });
  });

  test('an unknown subject whose claim names a group becomes a user in it, audited as themselves', async () => {
    idp.setAccount({ sub: 'dana', groups: ['engineering', 'Member'], email: 'dana@example.com', name: 'Dana' });
    const identity = await sessions.authenticate(await idp.signIn('dana'));
    assert.equal(identity.role, 'member');
    const view = await users.get(ADMIN_ACTOR, 'dana');
    assert.deepEqual(
      [view.group, view.source, view.email, view.displayName],
      ['member', 'claim', 'dana@example.com', 'Dana'],
    );
    const [entry] = await catalog.listAudit({ limit: 1 });
    assert.deepEqual(
      [entry?.action, entry?.actorKind, entry?.actorName, entry?.targetName, entry?.details.actorSubject],
      ['user.add', 'user', 'Dana', 'dana', 'dana'],
    );
  });

  test('a user change names its actor kind: the server at startup, a token by its kind', async () => {
    const admins = await catalog.listAudit({ limit: 100, action: 'user.add' });
    assert.equal(admins.find((e) => e.targetName === 'root-admin')?.actorKind, 'system');
    const ci: Principal = {
      kind: 'token',
      tokenId: 5,
      tokenKind: 'management',
      role: 'admin',
      name: 'ci',
      authority: NO_AUTHORITY,
      expiresAt: Number.POSITIVE_INFINITY,
      sourceIp: '10.0.0.9',
      requestId: 'req-7',
    };
    await users.add(ci, { subject: 'kind-probe', group: 'auditor' });
    const [entry] = await catalog.listAudit({ limit: 1 });
    assert.deepEqual(
      [entry?.action, entry?.actorKind, entry?.actorName, entry?.requestId, entry?.details.actorSubject],
      ['user.add', 'management', 'ci', 'req-7', undefined],
    );
  });

  test('an unknown subject with no group claim, or a claim naming no group, has no access', async () => {
    idp.setAccount({ sub: 'nogroup' });
    await refused('nogroup', 'no_group');
    idp.setAccount({ sub: 'other-group', groups: ['engineering', 'admins'] });
    await refused('other-group', 'no_group');
    await assert.rejects(users.get(ADMIN_ACTOR, 'other-group'), { code: 'USER_NOT_FOUND' });
  });

  test("a claim-made user's group follows the claim; one set by an Admin does not", async () => {
    idp.setAccount({ sub: 'erin', groups: 'member' });
    assert.equal((await sessions.authenticate(await idp.signIn('erin'))).role, 'member');
    idp.setAccount({ sub: 'erin', groups: 'AUDITOR' });
    assert.equal((await sessions.authenticate(await idp.signIn('erin'))).role, 'auditor');
    await users.update(ADMIN_ACTOR, 'erin', { group: 'member' });
    idp.setAccount({ sub: 'erin', groups: 'admin' });
    assert.equal((await sessions.authenticate(await idp.signIn('erin'))).role, 'member');
  });

  test('a disabled user and a removed user are refused, and a removed one does not come back by claim', async () => {
    await users.add(ADMIN_ACTOR, { subject: 'frank', group: 'auditor' });
    idp.setAccount({ sub: 'frank', groups: 'admin' });
    const jwt = await idp.signIn('frank');
    assert.equal((await sessions.authenticate(jwt)).role, 'auditor');
    await users.update(ADMIN_ACTOR, 'frank', { disabled: true });
    await assert.rejects(sessions.authenticate(jwt), { reason: 'user_disabled' });
    await users.update(ADMIN_ACTOR, 'frank', { disabled: false });
    assert.equal((await sessions.authenticate(jwt)).role, 'auditor');
    await users.remove(ADMIN_ACTOR, 'frank');
    await assert.rejects(sessions.authenticate(jwt), { reason: 'user_unknown' });
    await users.add(ADMIN_ACTOR, { subject: 'frank', group: 'member' });
    assert.equal((await sessions.authenticate(jwt)).role, 'member');
  });

  test('bad input to add and update names the field', async () => {
    const field = (error: unknown) => (error instanceof FluxgateError ? error.details.field : undefined);
    await assert.rejects(users.add(ADMIN_ACTOR, { subject: '', group: 'admin' }), (e) => field(e) === 'subject');
    await assert.rejects(users.add(ADMIN_ACTOR, { subject: 'x', group: 'owner' }), (e) => field(e) === 'group');
    await assert.rejects(
      users.add(ADMIN_ACTOR, { subject: 'x', group: 'admin', email: 'not-an-email' }),
      (e) => field(e) === 'email',
    );
    await assert.rejects(users.update(ADMIN_ACTOR, 'dana', {}), { code: 'INVALID_INPUT' });
    await assert.rejects(users.update(ADMIN_ACTOR, 'nobody', { group: 'admin' }), { code: 'USER_NOT_FOUND' });
  });

  test('a later start without a subject in --oidc-admin-subjects removes the Admin that list made', async () => {
    build(['new-admin']);
    await users.declareAdmins({ tokenId: null, name: 'startup', sourceIp: null });
    await assert.rejects(users.get(ADMIN_ACTOR, 'root-admin'), { code: 'USER_NOT_FOUND' });
    assert.equal((await users.get(ADMIN_ACTOR, 'new-admin')).group, 'admin');
    assert.equal((await users.get(ADMIN_ACTOR, 'dana')).group, 'member');
  });
});
