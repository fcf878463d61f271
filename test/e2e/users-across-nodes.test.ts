import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

/** Polls until `check` holds: the other node hears of the change through LISTEN/NOTIFY, not at a fixed time. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what} did not happen within 15 s`);
}

describe('users on two nodes sharing a PostgreSQL catalog', () => {
  let idp: TestIdp | undefined;
  let scratch: ScratchDatabase | undefined;
  const servers: ServerProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await idp?.stop();
    await scratch?.drop();
  });

  test('a user disabled or removed on one node is refused on the other', async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'dana', groups: 'member', name: 'Dana' });
    scratch = await createScratchDatabase();
    const args = [
      '--catalog',
      scratch.url,
      '--oidc-issuer',
      idp.issuer,
      '--oidc-audience',
      idp.audience,
      '--oidc-group-claim',
      'groups',
    ];
    servers.push(await startServerProcess({ args }), await startServerProcess({ args }));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const operator = await bootstrap(a.url);
    const jwt = await idp.signIn('dana');
    const session = (server: ServerProcess) => call(server.url, 'GET', '/api/v0/auth/session', { token: jwt });

    assert.equal((await session(a)).status, 200);
    assert.equal((await session(b)).status, 200);
    const listed = await call<Array<{ subject: string }>>(b.url, 'GET', '/api/v0/users', { token: operator });
    assert.deepEqual(
      listed.body.map((u) => u.subject),
      ['dana'],
    );

    const disable = await call(a.url, 'PATCH', '/api/v0/users/dana', { token: operator, json: { disabled: true } });
    assert.equal(disable.status, 200, disable.text);
    await eventually(async () => (await session(b)).status === 401, 'node B refusing the disabled user');
    await call(a.url, 'PATCH', '/api/v0/users/dana', { token: operator, json: { disabled: false } });
    await eventually(async () => (await session(b)).status === 200, 'node B accepting the enabled user again');

    assert.equal((await call(a.url, 'DELETE', '/api/v0/users/dana', { token: operator })).status, 204);
    await eventually(async () => (await session(b)).status === 401, 'node B refusing the removed user');
    const refused = await session(b);
    assert.equal((refused.body as { reason: string }).reason, 'session_user_unknown');
  });
});
