/**
 * Issue 12, item 7: the token promises hold on every node of a shared PostgreSQL catalog. A token
 * created on one node works on the others at once (they ask the catalog before refusing it); a revoke
 * returns only once every live node has applied it, or names the ones that did not; and a node that
 * was paused (SIGSTOP) catches up with the catalog before it accepts a token when it resumes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { dbPermission, startServers } from '../http/support.ts';

// Each node queries the database it created: a node refuses the data plane of a database another node holds.
const query = (server: ServerProcess, token: string) =>
  call(server.url, 'GET', `/api/v3/query_sql?db=${homeDatabase.get(server)}&q=select+1`, { token });
const homeDatabase = new Map<ServerProcess, string>();

describe('token promises across three nodes on one PostgreSQL catalog', () => {
  let scratch: ScratchDatabase | undefined;
  let servers: ServerProcess[] = [];
  let operator = '';
  let n = 0;

  const create = async (on: ServerProcess) => {
    const name = `t${n++}`;
    const response = await call<{ token: string }>(on.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: name, permissions: [dbPermission(['shared0', 'shared1', 'shared2'], ['read'])] },
    });
    assert.equal(response.status, 201, response.text);
    return { name, token: response.body.token };
  };
  const revoke = (on: ServerProcess, name: string) =>
    call(on.url, 'DELETE', `/api/v3/configure/token?token_name=${name}`, { token: operator });

  before(async () => {
    scratch = await createScratchDatabase();
    const args = ['--catalog', scratch.url];
    servers = await startServers({ args }, { args }, { args });
    operator = await bootstrap(servers[0]!.url);
    for (const [i, server] of servers.entries()) {
      homeDatabase.set(server, `shared${i}`);
      const db = await call(server.url, 'POST', '/api/v3/configure/database', {
        token: operator,
        json: { db: `shared${i}` },
      });
      assert.equal(db.status, 201, db.text);
    }
    // Every node has registered (it heartbeats within a fraction of a second of listening).
    await new Promise((resolve) => setTimeout(resolve, 600));
  });

  after(async () => {
    for (const server of servers) if (server.pid !== undefined) process.kill(server.pid, 'SIGCONT');
    await Promise.all(servers.map((server) => server.dispose()));
    await scratch?.drop();
  });

  test('a token created on one node works on every other node the moment creation returns', async () => {
    for (let i = 0; i < 15; i++) {
      const home = servers[i % 3]!;
      const { token } = await create(home);
      const answers = await Promise.all(servers.filter((s) => s !== home).map((s) => query(s, token)));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200],
        answers.map((a) => a.text).join(' | '),
      );
    }
  });

  test('a revoke returns once every node has applied it: the very next request anywhere is 401 TOKEN_REVOKED', async () => {
    const made = [];
    for (let i = 0; i < 15; i++) made.push(await create(servers[i % 3]!));
    for (const [i, { name, token }] of made.entries()) {
      // Every node has the token in its index before the revoke.
      for (const server of servers) assert.equal((await query(server, token)).status, 200);
      const home = servers[(i + 1) % 3]!;
      const response = await revoke(home, name);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('x-fluxgate-confirmed-nodes'), '2', 'both other nodes acknowledged');
      assert.equal(response.headers.get('x-fluxgate-unconfirmed-nodes'), null);
      for (const server of servers) {
        const after = await query(server, token);
        assert.equal(after.status, 401, `${server.url} right after the revoke: ${after.text}`);
        assert.equal(after.headers.get('x-fluxgate-error'), 'TOKEN_REVOKED');
      }
    }
  });

  test('a paused node is named as unconfirmed, and on resuming refuses what was revoked meanwhile', async () => {
    const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const victims = [];
    for (let i = 0; i < 10; i++) victims.push(await create(a));
    for (const { token } of victims) assert.equal((await query(c, token)).status, 200);
    assert.ok(c.pid !== undefined);
    process.kill(c.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const first = await revoke(a, victims[0]!.name);
      assert.equal(first.status, 200, first.text);
      assert.ok(Date.now() - started < 5000, 'the revoke does not wait forever for a paused node');
      assert.match(first.headers.get('x-fluxgate-unconfirmed-nodes') ?? '', /\S/, 'the paused node is named');
      for (const { name } of victims.slice(1)) assert.equal((await revoke(b, name)).status, 200);
      // Requests queue up at the paused node while it is stopped; it answers them when it resumes.
      const queued = victims.map(({ token }) => query(c, token));
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(c.pid, 'SIGCONT');
      const answers = await Promise.all(queued);
      assert.deepEqual(
        answers.map((r) => r.status),
        victims.map(() => 401),
        'every queued request with a revoked token is refused',
      );
    } finally {
      process.kill(c.pid, 'SIGCONT');
    }
  });

  test('a revoked token reads TOKEN_REVOKED on a node that never saw it', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { name, token } = await create(a);
    assert.equal((await revoke(a, name)).status, 200);
    const answer = await query(b, token);
    assert.equal(answer.headers.get('x-fluxgate-error'), 'TOKEN_REVOKED', answer.text);
  });
});
