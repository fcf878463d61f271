/**
 * The audit chain on a shared PostgreSQL catalog: management actions and refusals from two server
 * processes at once append to one chain that never forks, and each node verifies it whole.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { startServers } from '../http/support.ts';

let scratch: ScratchDatabase | undefined;
let servers: ServerProcess[] = [];

before(async () => {
  scratch = await createScratchDatabase();
  const args = ['--catalog', scratch.url];
  servers = await startServers({ args }, { args });
});
after(async () => {
  await Promise.all(servers.map((server) => server.dispose()));
  await scratch?.drop();
});

test('two nodes appending at once make one unbroken chain, verified by either node', async () => {
  const operator = await bootstrap(servers[0]!.url);
  const created = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      call(servers[i % 2]!.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db: `d${i}` } }),
    ),
  );
  assert.ok(created.every((r) => r.status === 201));
  const rows = await scratch!.query('select seq, prev_hash, hash from audit_log order by seq');
  assert.ok(rows.length >= 31);
  for (let i = 1; i < rows.length; i++) {
    assert.equal(Number(rows[i]!.seq), Number(rows[i - 1]!.seq) + 1);
    assert.equal(rows[i]!.prev_hash, rows[i - 1]!.hash, `the chain forked at seq ${rows[i]!.seq}`);
  }
  for (const server of servers) {
    const report = await call<{ ok: boolean; checked: number; head: { seq: number } }>(
      server.url,
      'GET',
      '/api/v0/audit/verify',
      { token: operator },
    );
    assert.equal(report.body.ok, true, report.text);
    assert.equal(report.body.checked, rows.length);
    assert.equal(report.body.head.seq, Number(rows.at(-1)!.seq));
  }
  // An edit in the shared table is seen by both nodes.
  await scratch!.query(`update audit_log set target_name = 'x' where seq = 5`);
  for (const server of servers) {
    const report = await call<{ problem?: { seq: number; kind: string } }>(server.url, 'GET', '/api/v0/audit/verify', {
      token: operator,
    });
    assert.deepEqual(report.body.problem && [report.body.problem.seq, report.body.problem.kind], [5, 'edited']);
  }
});
