/**
 * Issue 13, part 4: embedded storage on a shared PostgreSQL catalog. A database's DuckDB files live on
 * the node that created it; every other node refuses its writes and queries (SQL and InfluxQL) with
 * 421 DATABASE_OWNED_ELSEWHERE naming the owner's id and address, and never makes files of its own.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServers } from '../http/support.ts';

async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const nodeId = (server: ServerProcess) => readFileSync(join(server.dataDir, 'node-id'), 'utf8').trim();
const filesOf = (server: ServerProcess) =>
  existsSync(join(server.dataDir, 'dbs')) ? readdirSync(join(server.dataDir, 'dbs')) : [];

describe('database owners on two nodes sharing a PostgreSQL catalog', () => {
  let scratch: ScratchDatabase | undefined;
  let servers: ServerProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await scratch?.drop();
  });

  test('the creating node serves a database; the other refuses it naming the owner and writes no files', async () => {
    scratch = await createScratchDatabase();
    const args = ['--catalog', scratch.url];
    servers = await startServers({ args }, { args });
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const token = await bootstrap(a.url);
    const write = (server: ServerProcess, db: string) =>
      call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, { token, body: 'cpu,host=a usage=1 1700000000000000000' });
    const sql = (server: ServerProcess, db: string) =>
      call<{ usage: number }[]>(server.url, 'GET', `/api/v3/query_sql?db=${db}&q=select+usage+from+cpu`, { token });
    const influxql = (server: ServerProcess, db: string) =>
      call(server.url, 'GET', `/query?db=${db}&q=${encodeURIComponent('SELECT usage FROM cpu')}`, { token });

    const created = await call(a.url, 'POST', '/api/v3/configure/database', { token, json: { db: 'metrics' } });
    assert.equal(created.status, 201, created.text);
    assert.equal((await write(a, 'metrics')).status, 204);
    const onA = await sql(a, 'metrics');
    assert.equal(onA.status, 200, onA.text);
    assert.deepEqual(
      onA.body.map((row) => row.usage),
      [1],
    );
    assert.equal((await influxql(a, 'metrics')).status, 200);
    const owners = await scratch.query(`select owner_node from databases where name = 'metrics'`);
    assert.deepEqual(owners, [{ owner_node: nodeId(a) }], 'the catalog records the creating node');

    await eventually(async () => (await write(b, 'metrics')).status === 421, 'node B knowing metrics is A’s');
    for (const refused of [await write(b, 'metrics'), await sql(b, 'metrics'), await influxql(b, 'metrics')]) {
      assert.equal(refused.status, 421, refused.text);
      assert.equal(refused.headers.get('x-fluxgate-error'), 'DATABASE_OWNED_ELSEWHERE');
      assert.ok(refused.text.includes(nodeId(a)), `names the owner's id: ${refused.text}`);
      assert.ok(refused.text.includes(a.url), `names the owner's address: ${refused.text}`);
    }
    assert.deepEqual(filesOf(b), [], 'node B has no files for a database it does not own');
    const stillOne = await sql(a, 'metrics');
    assert.deepEqual(
      stillOne.body.map((row) => row.usage),
      [1],
      'nothing written through B',
    );

    // Create-on-write on B makes a database of B's own, which A in turn refuses.
    assert.equal((await write(b, 'local_to_b')).status, 204);
    assert.deepEqual(await scratch.query(`select owner_node from databases where name = 'local_to_b'`), [
      { owner_node: nodeId(b) },
    ]);
    await eventually(async () => (await sql(a, 'local_to_b')).status === 421, 'node A refusing B’s database');
    assert.equal((await write(a, 'local_to_b')).status, 421);
  });
});
