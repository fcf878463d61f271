/**
 * Issue 12, item 0: three nodes on one PostgreSQL catalog under load while their catalog connections
 * are cut again and again (pg_terminate_backend, what a restart or a failover does), only on this
 * test's scratch database. No node may exit; answers are 2xx or a 503 CATALOG_UNAVAILABLE with a
 * reason, never a 500 or a reset; known tokens keep verifying from memory; and once the cutting stops
 * every node catches up with what changed meanwhile.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase, withAdmin } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { dbPermission, startServers } from '../http/support.ts';

const CUTS = 40;

async function terminateBackends(scratch: ScratchDatabase): Promise<number> {
  return withAdmin(async (admin) => {
    const result = await admin.query(
      'select pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [scratch.name],
    );
    return result.rows.length;
  });
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${what} did not happen within ${ms} ms`);
}

describe('catalog connections cut under load (three nodes on PostgreSQL)', () => {
  let scratch: ScratchDatabase | undefined;
  let servers: ServerProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await scratch?.drop();
  });

  test(`${CUTS} cuts: no node exits, no 500, tokens keep working, and every node catches up`, async () => {
    scratch = await createScratchDatabase();
    const args = ['--catalog', scratch.url];
    servers = await startServers({ args }, { args }, { args });
    const operator = await bootstrap(servers[0]!.url);
    // Each node loads the database it created: a node refuses the data plane of another node's database.
    const loadDb = new Map(servers.map((server, i) => [server, `load${i}`]));
    for (const [server, db] of loadDb) {
      const created = await call(server.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db } });
      assert.equal(created.status, 201, created.text);
    }
    // The token is made on node 0, which learns of the other nodes' databases through the change feed.
    await eventually(async () => {
      const listed = await call<Array<{ 'iox::database': string }>>(
        servers[0]!.url,
        'GET',
        '/api/v3/configure/database?format=json',
        { token: operator },
      );
      const names = new Set(listed.status === 200 ? listed.body.map((d) => d['iox::database']) : []);
      return [...loadDb.values()].every((db) => names.has(db));
    }, `${servers[0]!.url} knowing every load database`);
    const issued = await call<{ token: string }>(servers[0]!.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: 'loader', permissions: [dbPermission([...loadDb.values()], ['read', 'write'])] },
    });
    assert.equal(issued.status, 201, issued.text);
    const loader = issued.body.token;
    for (const server of servers) {
      await eventually(
        async () =>
          (
            await call(server.url, 'POST', `/api/v3/write_lp?db=${loadDb.get(server)}`, {
              token: loader,
              body: 'm f=1 1',
            })
          ).status === 204,
        `${server.url} knowing the loader token`,
      );
    }

    const statuses = new Map<string, number>();
    const count = (kind: string) => statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
    const tokenFailures: string[] = [];
    let running = true;
    let n = 0;
    const worker = async (server: ServerProcess) => {
      while (running) {
        const i = n++;
        try {
          // A token known to the node is verified from memory: a write must never fail on the catalog.
          const write = await call(server.url, 'POST', `/api/v3/write_lp?db=${loadDb.get(server)}`, {
            token: loader,
            body: `m,node=x f=${i} ${i + 2}`,
          });
          count(`write ${write.status}`);
          if (write.status === 401 || write.status === 403) tokenFailures.push(write.text);
          // Catalog reads and writes: 2xx, or 503 CATALOG_UNAVAILABLE naming the reason.
          const catalogCall =
            i % 3 === 0
              ? await call(server.url, 'POST', '/api/v3/enterprise/configure/token', {
                  token: operator,
                  json: { token_name: `churn-${i}`, permissions: [dbPermission([...loadDb.values()], ['read'])] },
                })
              : await call(server.url, 'GET', '/api/v3/configure/token', { token: operator });
          count(`catalog ${catalogCall.status}`);
          if (catalogCall.status === 503) {
            assert.equal(catalogCall.headers.get('x-fluxgate-error'), 'CATALOG_UNAVAILABLE', catalogCall.text);
            assert.match(catalogCall.text, /catalog is unavailable \(.+\)/);
          }
        } catch (error) {
          count(`transport ${(error as Error).message}`);
        }
      }
    };
    const workers = servers.flatMap((server) => [worker(server), worker(server)]);
    let terminated = 0;
    for (let cut = 0; cut < CUTS; cut++) {
      terminated += await terminateBackends(scratch);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    running = false;
    await Promise.all(workers);

    const summary = JSON.stringify(Object.fromEntries(statuses));
    for (const server of servers) assert.doesNotMatch(server.output(), /Unhandled 'error' event/);
    for (const server of servers) assert.equal((await call(server.url, 'GET', '/ping')).status < 500, true);
    assert.ok(terminated >= CUTS, `backends were terminated (${terminated})`);
    const bad = [...statuses.keys()].filter((kind) => !/^(write 204|catalog (200|201|503))$/.test(kind));
    assert.deepEqual(bad, [], `only 2xx and 503: ${summary}`);
    assert.deepEqual(tokenFailures, [], 'the loader token never failed');
    assert.ok((statuses.get('write 204') ?? 0) > 50, `load ran: ${summary}`);

    // Every node is still up, and hears of a change made now, after all those cuts.
    const late = await call<{ token: string }>(servers[1]!.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: 'after-the-cuts', permissions: [dbPermission([...loadDb.values()], ['read'])] },
    });
    assert.equal(late.status, 201, late.text);
    for (const server of servers) {
      await eventually(
        async () =>
          (
            await call(server.url, 'GET', `/api/v3/query_sql?db=${loadDb.get(server)}&q=select+1`, {
              token: late.body.token,
            })
          ).status === 200,
        `${server.url} accepting a token created after the cuts`,
      );
    }
    const revoke = await call(servers[2]!.url, 'DELETE', '/api/v3/configure/token?token_name=after-the-cuts', {
      token: operator,
    });
    assert.equal(revoke.status, 200, revoke.text);
    for (const server of servers) {
      await eventually(
        async () =>
          (
            await call(server.url, 'GET', `/api/v3/query_sql?db=${loadDb.get(server)}&q=select+1`, {
              token: late.body.token,
            })
          ).status === 401,
        `${server.url} refusing the token revoked after the cuts`,
      );
    }
    console.log(`# statuses under ${CUTS} cuts (${terminated} backends terminated): ${summary}`);
  });
});
