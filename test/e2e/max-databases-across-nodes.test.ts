/**
 * `--max-databases` on real nodes sharing one PostgreSQL catalog: every path that makes a database live
 * (v3 create, v0 create, a first write by an admin token, undelete) run at once through every node,
 * and the catalog's count in the creating transaction is what holds. Exactly N are live afterwards,
 * every refusal is 409 DATABASE_LIMIT_REACHED naming the limit, a refused create leaves no catalog row
 * and no files, a delete frees exactly one place, and a node started later counts the same databases.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bootstrap, call, type JsonResponse } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServers } from '../http/support.ts';

/** Small on purpose: far fewer places than attempts, so most attempts race for the last ones. */
const MAX = 3;
const LIMIT_MESSAGE = new RegExp(`at most ${MAX} databases \\(--max-databases\\)`);

async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One attempt to make a database live, and how the node answered it. */
interface Attempt {
  node: number;
  path: 'v3' | 'v0' | 'write_lp' | 'v1 write' | 'v2 write' | 'undelete';
  name: string;
  response: JsonResponse<Record<string, unknown>>;
}

function succeeded(attempt: Attempt): boolean {
  return attempt.response.status >= 200 && attempt.response.status < 300;
}

/** The documented refusal, in the shape of the face that gave it. */
function assertLimitRefusal(attempt: Attempt): void {
  const { response, name, path, node } = attempt;
  const where = `${path} of '${name}' on node ${node}: ${response.status} ${response.text}`;
  assert.equal(response.status, 409, where);
  assert.equal(response.headers.get('x-fluxgate-error'), 'DATABASE_LIMIT_REACHED', where);
  const body = response.body;
  // The v1 and v2 bodies have no `field` (their clients' shape); the others name the flag there.
  if (path !== 'v1 write' && path !== 'v2 write') assert.equal(body.field, '--max-databases', where);
  if (path === 'v0' || path === 'undelete') {
    assert.equal(body.fluxgateCode, 'DATABASE_LIMIT_REACHED', where);
    assert.match(String(body.message), LIMIT_MESSAGE, where);
  } else if (path === 'v2 write') {
    assert.equal(body.code, 'conflict', where);
    assert.equal(body.fluxgate_code, 'DATABASE_LIMIT_REACHED', where);
    assert.match(String(body.message), LIMIT_MESSAGE, where);
  } else {
    assert.equal(body.code, 'DATABASE_LIMIT_REACHED', where);
    assert.match(String(body.error), LIMIT_MESSAGE, where);
  }
  const verb = path === 'undelete' ? 'undelete' : 'create';
  const text = path === 'v0' || path === 'undelete' || path === 'v2 write' ? String(body.message) : String(body.error);
  assert.ok(text.includes(`cannot ${verb} database '${name}'`), `the refusal names the database: ${where}`);
}

describe('--max-databases on nodes sharing a PostgreSQL catalog', () => {
  let scratch: ScratchDatabase | undefined;
  let servers: ServerProcess[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.dispose()));
    await scratch?.drop();
  });

  test('every path, every node, at once: exactly the limit is live and nothing is half-created', async () => {
    scratch = await createScratchDatabase();
    const db = scratch;
    const args = ['--catalog', db.url, '--max-databases', String(MAX), '--database-recovery-window', '1h'];
    servers = await startServers({ args }, { args });
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const admin = await bootstrap(a.url);

    const liveRows = async () =>
      (await db.query('select id, name from databases where deleted_at is null order by name')) as {
        id: number;
        name: string;
      }[];
    const listed = async (server: ServerProcess) => {
      const r = await call<{ 'iox::database': string }[]>(server.url, 'GET', '/api/v3/configure/database?format=json', {
        token: admin,
      });
      assert.equal(r.status, 200, r.text);
      return r.body.map((row) => row['iox::database']).sort();
    };

    // Two soft-deleted databases, inside their recovery window, for each node to undelete one.
    const gone: number[] = [];
    for (const name of ['gone-0', 'gone-1']) {
      const created = await call<{ id: number }>(a.url, 'POST', '/api/v0/databases', { token: admin, json: { name } });
      assert.equal(created.status, 200, created.text);
      gone.push(created.body.id);
      assert.equal((await call(a.url, 'DELETE', `/api/v0/databases/${name}`, { token: admin })).status, 204);
    }
    assert.deepEqual(await liveRows(), []);

    type Job = () => Promise<Attempt>;
    const jobs = (round: string, only?: ServerProcess[]): Job[] =>
      (only ?? servers).flatMap((server, node) => {
        const attempt =
          (path: Attempt['path'], name: string, method: string, url: string, options: Parameters<typeof call>[3]) =>
          async (): Promise<Attempt> => ({
            node,
            path,
            name,
            response: await call<Record<string, unknown>>(server.url, method, url, { token: admin, ...options }),
          });
        const list: Job[] = [];
        for (let i = 0; i < 2; i++) {
          const tag = `${round}-n${node}-${i}`;
          list.push(
            attempt('v3', `v3-${tag}`, 'POST', '/api/v3/configure/database', { json: { db: `v3-${tag}` } }),
            attempt('v0', `v0-${tag}`, 'POST', '/api/v0/databases', { json: { name: `v0-${tag}` } }),
            attempt('write_lp', `lp-${tag}`, 'POST', `/api/v3/write_lp?db=lp-${tag}`, { body: `m v=${i} 1` }),
            attempt('v1 write', `v1-${tag}`, 'POST', `/write?db=v1-${tag}&precision=s`, { body: `m v=${i} 1` }),
            attempt('v2 write', `v2-${tag}`, 'POST', `/api/v2/write?bucket=v2-${tag}&precision=s`, {
              body: `m v=${i} 1`,
            }),
          );
        }
        return list;
      });
    const undeleteJob =
      (server: ServerProcess, node: number, id: number, name: string): Job =>
      async () => ({
        node,
        path: 'undelete',
        name,
        response: await call<Record<string, unknown>>(server.url, 'PUT', `/api/v0/databases/${id}/undelete`, {
          token: admin,
        }),
      });

    const runRound = async (all: Job[]): Promise<Attempt[]> => Promise.all(all.map((job) => job()));
    const checkRound = async (attempts: Attempt[], expectedWins: number): Promise<Attempt[]> => {
      const wins = attempts.filter(succeeded);
      for (const attempt of attempts.filter((x) => !succeeded(x))) assertLimitRefusal(attempt);
      assert.equal(
        wins.length,
        expectedWins,
        `wins: ${wins.map((w) => `${w.path} ${w.name} on ${w.node}`).join(', ')}`,
      );
      // Nothing half-created: a refused name has no catalog row at all (live or deleted), and
      // a refused write stored nothing that a later query could find, on any node.
      for (const refused of attempts.filter((x) => !succeeded(x) && x.path !== 'undelete')) {
        const rows = await db.query(`select id from databases where name = '${refused.name}'`);
        assert.deepEqual(rows, [], `no catalog row for the refused '${refused.name}'`);
        if (refused.path === 'write_lp' || refused.path === 'v1 write' || refused.path === 'v2 write') {
          for (const server of servers) {
            const q = await call<{ code: string }>(
              server.url,
              'GET',
              `/api/v3/query_sql?db=${refused.name}&q=${encodeURIComponent('SELECT * FROM m')}&format=json`,
              { token: admin },
            );
            assert.equal(q.status, 404, `query of the refused '${refused.name}': ${q.text}`);
            assert.equal(q.body.code, 'DATABASE_NOT_FOUND', q.text);
          }
        }
      }
      return wins;
    };
    /**
     * Storage matches the catalog: no node holds files of an id the catalog does not know, no database
     * has files on two nodes, and a database created by a write holds that write on the node that took it.
     */
    const checkStorage = async (createdByWrite: Attempt[]) => {
      const known = new Set(
        ((await db.query('select id from databases where purged_at is null')) as { id: number }[]).map((r) =>
          Number(r.id),
        ),
      );
      const holders = new Map<number, number[]>();
      servers.forEach((server, node) => {
        const dir = join(server.dataDir, 'dbs');
        const ids = new Set<number>();
        for (const file of existsSync(dir) ? readdirSync(dir) : []) {
          const match = /^(\d+)\.duckdb/.exec(file);
          if (match !== null) ids.add(Number(match[1]));
        }
        for (const id of ids) {
          assert.ok(known.has(id), `node ${node} holds files of id ${id}, which the catalog does not know`);
          holders.set(id, [...(holders.get(id) ?? []), node]);
        }
      });
      const live = await liveRows();
      for (const [id, nodes] of holders) assert.equal(nodes.length, 1, `id ${id} has files on nodes ${nodes}`);
      for (const attempt of createdByWrite) {
        const row = live.find((r) => r.name === attempt.name);
        if (row === undefined) continue;
        assert.deepEqual(
          holders.get(Number(row.id)),
          [attempt.node],
          `'${attempt.name}' has its files where it was written`,
        );
        const server = servers[attempt.node] as ServerProcess;
        const q = await call<{ n: number }[]>(
          server.url,
          'GET',
          `/api/v3/query_sql?db=${attempt.name}&q=${encodeURIComponent('SELECT count(*) AS n FROM m')}&format=json`,
          { token: admin },
        );
        assert.equal(q.status, 200, q.text);
        assert.deepEqual(q.body, [{ n: 1 }], `the write that created '${attempt.name}' is stored`);
      }
    };
    const byWrite = (attempts: Attempt[]) =>
      attempts.filter((x) => succeeded(x) && (x.path === 'write_lp' || x.path === 'v1 write' || x.path === 'v2 write'));

    // Round 1: 10 creates on each node plus an undelete from each, 22 attempts for 3 places.
    const first = await runRound([
      ...jobs('r1'),
      undeleteJob(a, 0, gone[0] as number, 'gone-0'),
      undeleteJob(b, 1, gone[1] as number, 'gone-1'),
    ]);
    const wins = await checkRound(first, MAX);
    const winners = wins.map((w) => w.name).sort();
    assert.deepEqual(
      (await liveRows()).map((r) => r.name),
      winners,
      'the catalog holds exactly the databases that were answered as created',
    );
    for (const server of servers) {
      await eventually(
        async () => JSON.stringify(await listed(server)) === JSON.stringify(winners),
        `node ${server.url} listing the ${MAX} live databases`,
      );
    }
    await checkStorage(byWrite(first));

    // Full: one more of each path through each node is refused at once.
    const full = await runRound(jobs('full'));
    await checkRound(full, 0);

    // A delete frees exactly one place, across the nodes (once every node has seen the delete).
    const victim = winners[0] as string;
    const victimId = Number((await liveRows()).find((r) => r.name === victim)?.id);
    const deleted = await call(b.url, 'DELETE', `/api/v3/configure/database?db=${victim}`, { token: admin });
    assert.ok(deleted.status === 200 || deleted.status === 204, deleted.text);
    for (const server of servers) {
      await eventually(async () => (await listed(server)).length === MAX - 1, `node ${server.url} seeing the delete`);
    }
    const refill = await runRound([...jobs('r2'), undeleteJob(a, 0, victimId, victim)]);
    const [refilled] = await checkRound(refill, 1);
    assert.equal((await liveRows()).length, MAX);
    const afterRefill = winners
      .filter((name) => name !== victim)
      .concat(refilled?.name ?? [])
      .sort();
    assert.deepEqual(
      (await liveRows()).map((r) => r.name),
      afterRefill,
    );
    await checkStorage(byWrite([...first, ...refill]));

    // A node started later counts the same live databases and refuses the next one.
    const [c] = (await startServers({ args })) as [ServerProcess];
    servers.push(c);
    await eventually(
      async () => JSON.stringify(await listed(c)) === JSON.stringify(afterRefill),
      'the late node listing the live databases',
    );
    const late = await runRound(jobs('late', [c]).map((job) => async () => ({ ...(await job()), node: 2 })));
    assert.equal(late.length, 10);
    await checkRound(late, 0);
    for (const server of servers) assert.deepEqual(await listed(server), afterRefill);
    await checkStorage(byWrite([...first, ...refill]));
  });
});
