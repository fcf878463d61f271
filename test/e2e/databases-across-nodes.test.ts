/**
 * Database lifecycle on two nodes sharing one PostgreSQL catalog: a delete on one node stops writes on
 * the other at once, an undelete or a rename on the other brings them back (the token's grant follows
 * the id), and when the recovery window ends the database is purged once and its owner removes its files.
 * The database's data plane is served by its owner (node A) only; node B refuses it, naming A.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServers } from '../http/support.ts';

async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('databases on two nodes sharing a PostgreSQL catalog', () => {
  let scratch: ScratchDatabase | undefined;
  let servers: ServerProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await scratch?.drop();
  });

  test('delete, undelete, rename and purge seen by both nodes', async () => {
    scratch = await createScratchDatabase();
    const args = ['--catalog', scratch.url, '--database-recovery-window', '4s'];
    servers = await startServers({ args }, { args });
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const operator = await bootstrap(a.url);
    const v0 = <T>(server: ServerProcess, method: string, path: string, json?: unknown) =>
      call<T>(
        server.url,
        method,
        `/api/v0${path}`,
        json === undefined ? { token: operator } : { token: operator, json },
      );
    const created = await v0<{ id: number }>(a, 'POST', '/databases', { name: 'shared' });
    assert.equal(created.status, 200, created.text);
    const issued = await call<{ token: string }>(a.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: {
        token_name: 'shared-writer',
        permissions: [{ resource_type: 'db', resource_names: ['shared'], actions: ['write'] }],
      },
    });
    assert.equal(issued.status, 201, issued.text);
    const write = (server: ServerProcess, db: string) =>
      call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, { token: issued.body.token, body: `m v=1 ${Date.now()}` });
    assert.equal((await write(a, 'shared')).status, 204);
    await eventually(async () => (await write(b, 'shared')).status === 421, 'node B knowing the new database is A’s');

    assert.equal((await v0(a, 'DELETE', '/databases/shared')).status, 204);
    await eventually(async () => (await write(b, 'shared')).status === 404, 'node B refusing the deleted database');
    const undeleted = await v0(b, 'PUT', `/databases/${created.body.id}/undelete`);
    assert.equal(undeleted.status, 200, undeleted.text);
    await eventually(async () => (await write(a, 'shared')).status === 204, 'node A accepting it again');

    const renamed = await v0(b, 'PUT', '/databases/shared/rename', { name: 'moved' });
    assert.equal(renamed.status, 200, renamed.text);
    await eventually(async () => (await write(a, 'moved')).status === 204, 'node A writing under the new name');
    assert.equal((await write(a, 'shared')).status, 404);

    const [fileOnA, fileOnB] = [a, b].map((server) => join(server.dataDir, 'dbs', `${created.body.id}.duckdb`));
    assert.equal((await write(b, 'moved')).status, 421);
    assert.ok(existsSync(fileOnA!), 'the owner holds the files of the database');
    assert.ok(!existsSync(fileOnB!), 'the other node never made a copy');
    assert.equal((await v0(b, 'DELETE', '/databases/moved')).status, 204);
    await eventually(() => !existsSync(fileOnA!), 'the owner removing the files', 30_000);
    const purges = await scratch.query(
      `select actor_name from audit_log where action = 'database.purge' and target_id = ${created.body.id}`,
    );
    assert.deepEqual(purges, [{ actor_name: 'recovery-window' }], 'purged once, by one of the nodes');
    for (const server of [a, b]) {
      assert.equal((await v0(server, 'PUT', `/databases/${created.body.id}/undelete`)).status, 404);
    }
  });
});
