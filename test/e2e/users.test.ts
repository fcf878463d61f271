import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { bootstrap, call } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

interface UserJson {
  id: string;
  subject: string;
  group: string;
  status: string;
  source: string;
  email?: string;
  displayName?: string;
  lastSeenAt?: string;
}

describe('users over /api/v0/users and `fluxgate user`', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  let operator: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env });

  before(async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'root', name: 'Root' });
    idp.setAccount({ sub: 'dana', groups: 'member', name: 'Dana', email: 'dana@example.com' });
    server = await startServerProcess({
      args: [
        '--oidc-issuer',
        idp.issuer,
        '--oidc-audience',
        idp.audience,
        '--oidc-group-claim',
        'groups',
        '--oidc-admin-subjects',
        'root',
      ],
    });
    operator = await bootstrap(server.url);
    env = { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: operator };
  });
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  test('user add, get, list with last seen, update and remove, each over REST and the CLI', async () => {
    const added = await cli('user', 'add', '3e7a-ops', '--group', 'member', '--email', 'ops@example.com');
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /User '3e7a-ops' added to the group member\./);

    const got = await call<UserJson>(server.url, 'GET', '/api/v0/users/3e7a-ops', { token: operator });
    assert.equal(got.status, 200);
    assert.deepEqual(
      [got.body.id, got.body.group, got.body.status, got.body.source, got.body.email],
      ['3e7a-ops', 'member', 'active', 'manual', 'ops@example.com'],
    );

    // A sign-in makes `dana` a user (from her claim) and is seen in the list.
    assert.equal(
      (await call(server.url, 'GET', '/api/v0/auth/session', { token: await idp.signIn('dana') })).status,
      200,
    );
    const listed = await cli('user', 'list', '--format', 'json');
    assert.equal(listed.code, 0, listed.stderr);
    const users = JSON.parse(listed.stdout) as UserJson[];
    assert.deepEqual(users.map((u) => [u.subject, u.group, u.source]).sort(), [
      ['3e7a-ops', 'member', 'manual'],
      ['dana', 'member', 'claim'],
      ['root', 'admin', 'startup'],
    ]);
    assert.ok(users.find((u) => u.subject === 'dana')?.lastSeenAt !== undefined, 'dana has no last seen');
    const table = await cli('user', 'list');
    assert.match(table.stdout, /│ subject +│ group +│ status +│ email +│ display name +│ last seen +│ source/);

    const updated = await cli('user', 'update', '3e7a-ops', '--group', 'auditor', '--disable');
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /group auditor, disabled/);

    const removed = await cli('user', 'remove', '3e7a-ops', '--force');
    assert.equal(removed.code, 0, removed.stderr);
    const gone = await call<{ fluxgateCode: string }>(server.url, 'GET', '/api/v0/users/3e7a-ops', { token: operator });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.fluxgateCode, 'USER_NOT_FOUND');
  });

  test('a removed user’s valid JWT gets 401 on its next request, and a disabled one’s too', async () => {
    const jwt = await idp.signIn('dana');
    assert.equal((await call(server.url, 'GET', '/api/v0/auth/session', { token: jwt })).status, 200);
    const disable = await call(server.url, 'PATCH', '/api/v0/users/dana', {
      token: operator,
      json: { disabled: true },
    });
    assert.equal(disable.status, 200, disable.text);
    const disabled = await call<{ reason: string }>(server.url, 'GET', '/api/v0/auth/session', { token: jwt });
    assert.deepEqual([disabled.status, disabled.body.reason], [401, 'session_user_disabled']);
    await call(server.url, 'PATCH', '/api/v0/users/dana', { token: operator, json: { disabled: false } });
    assert.equal((await call(server.url, 'GET', '/api/v0/auth/session', { token: jwt })).status, 200);

    assert.equal((await call(server.url, 'DELETE', '/api/v0/users/dana', { token: operator })).status, 204);
    const removed = await call<{ fluxgateCode: string; reason: string }>(server.url, 'GET', '/api/v0/auth/session', {
      token: jwt,
    });
    assert.deepEqual(
      [removed.status, removed.body.fluxgateCode, removed.body.reason],
      [401, 'USER_NOT_ALLOWED', 'session_user_unknown'],
    );
  });

  test('bad input names the field; the declared Admin cannot be removed; nothing is written', async () => {
    const badGroup = await call<{ fluxgateCode: string; field: string }>(server.url, 'POST', '/api/v0/users', {
      token: operator,
      json: { subject: 'x', group: 'owner' },
    });
    assert.deepEqual([badGroup.status, badGroup.body.field], [400, 'group']);
    const unknownField = await call<{ fluxgateCode: string }>(server.url, 'POST', '/api/v0/users', {
      token: operator,
      json: { subject: 'x', group: 'admin', role: 'admin' },
    });
    assert.deepEqual([unknownField.status, unknownField.body.fluxgateCode], [400, 'UNKNOWN_FIELD']);
    const duplicate = await call<{ fluxgateCode: string }>(server.url, 'POST', '/api/v0/users', {
      token: operator,
      json: { subject: 'root', group: 'member' },
    });
    assert.deepEqual([duplicate.status, duplicate.body.fluxgateCode], [409, 'USER_DECLARED_AT_STARTUP']);
    const remove = await cli('user', 'remove', 'root', '--force');
    assert.equal(remove.code, 1);
    assert.match(remove.stderr, /--oidc-admin-subjects/);
    const noForce = await cli('user', 'remove', 'anyone');
    assert.notEqual(noForce.code, 0);
    assert.match(noForce.stderr, /--force/);
    const list = await call<UserJson[]>(server.url, 'GET', '/api/v0/users', { token: operator });
    assert.deepEqual(
      list.body.map((u) => u.subject),
      ['root'],
    );
  });

  test('every user change is in the audit log under its actor, the sign-in ones under the user', () => {
    const db = new Database(join(server.dataDir, 'catalog.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare(
          "select action, actor_name, target_name, details from audit_log where target_kind = 'user' order by id",
        )
        .all() as Array<{ action: string; actor_name: string; target_name: string; details: string }>;
      const seen = rows.map((r) => [r.action, r.actor_name, r.target_name, JSON.parse(r.details).actorSubject ?? null]);
      assert.deepEqual(seen, [
        ['user.add', 'oidc-admin-subjects', 'root', null],
        ['user.add', '_admin', '3e7a-ops', null],
        ['user.add', 'Dana', 'dana', 'dana'],
        ['user.update', '_admin', '3e7a-ops', null],
        ['user.remove', '_admin', '3e7a-ops', null],
        ['user.update', '_admin', 'dana', null],
        ['user.update', '_admin', 'dana', null],
        ['user.remove', '_admin', 'dana', null],
      ]);
    } finally {
      db.close();
    }
  });
});
