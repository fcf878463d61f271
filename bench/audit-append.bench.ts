// What the hash-chained audit log costs per management action, on both adapters: appendAudit alone
// (lock the head, hash, insert, move the head) next to a one-row write with no chain, a database update (the change, its chained audit row
// and its change-feed row in one transaction), and appends from two catalog instances at once (on
// PostgreSQL: two nodes taking turns on the head row), and the in-process hash alone. Needs
// PostgreSQL on 127.0.0.1:5432.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { auditHash } from '../src/catalog/audit-hash.ts';
import type { AuditEntry, Catalog } from '../src/catalog/catalog.ts';
import { openCatalog } from '../src/catalog/open-catalog.ts';

const ADMIN_URL = process.env.FLUXGATE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = 2;

const entry = (action = 'database.update'): AuditEntry => ({
  at: Date.now(),
  actorTokenId: 12,
  actorName: 'ci-pipeline',
  actorKind: 'management',
  action,
  targetKind: 'database',
  targetId: 1,
  targetName: 'sensors',
  outcome: 'ok',
  sourceIp: '10.0.0.5',
  requestId: 'req-1',
  details: { maxTables: 500, permissions: ['db:sensors:read'] },
});

interface Timing {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `op` with `parallel` workers for SECONDS; latencies in µs. */
async function time(parallel: number, op: (worker: number) => Promise<unknown>): Promise<Timing> {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async (_, worker) => {
      while (performance.now() < until) {
        const t = performance.now();
        await op(worker);
        latencies.push((performance.now() - t) * 1000);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: latencies.length / ((performance.now() - start) / 1000), p50: at(0.5), p99: at(0.99) };
}

const fmt = (t: Timing) =>
  `${Math.round(t.perSecond).toLocaleString('en-US').padStart(6)}/s, p50 ${Math.round(t.p50)} µs, p99 ${Math.round(t.p99)} µs`;

async function bench(label: string, open: () => Promise<Catalog>): Promise<void> {
  const catalog = await open();
  const second = await open();
  try {
    const db = await catalog.createDatabase(
      { name: 'sensors', createdAt: Date.now(), maxTables: 500, maxColumnsPerTable: 250, retentionPeriodMs: null },
      entry('database.create'),
    );
    let n = 0;
    // The floor, side by side: a one-row catalog write on the same connection, with no chain.
    const floor = await time(1, () =>
      catalog.heartbeatNode({ id: 'bench', address: 'x', startedAt: 0, heartbeatAt: n++, appliedVersion: 0 }),
    );
    const append = await time(1, () => catalog.appendAudit(entry('database_token.create')));
    const update = await time(1, () => catalog.updateDatabase(db.id, { maxTables: 100 + (n++ % 400) }, entry()));
    const twoNodes = await time(8, (w) => (w % 2 ? second : catalog).appendAudit(entry('management_token.revoke')));
    const report = await catalog.verifyAudit();
    if (!report.ok) throw new Error(`the chain broke under the bench: ${JSON.stringify(report.problem)}`);
    const verifyStart = performance.now();
    await catalog.verifyAudit();
    const verifyMs = performance.now() - verifyStart;
    console.log(`${label}: one-row write, no chain (heartbeatNode) ${fmt(floor)}`);
    console.log(
      `${label}: appendAudit ${fmt(append)}; ${(append.p50 / floor.p50).toFixed(2)}× the one-row write at p50`,
    );
    console.log(`${label}: updateDatabase (change + chained audit + feed) ${fmt(update)}`);
    console.log(`${label}: appendAudit, 8 at a time from 2 catalog instances ${fmt(twoNodes)}`);
    console.log(
      `${label}: verify ${report.checked.toLocaleString('en-US')} entries in ${Math.round(verifyMs)} ms ` +
        `(${Math.round(report.checked / (verifyMs / 1000)).toLocaleString('en-US')} entries/s); chain ok`,
    );
  } finally {
    await Promise.all([catalog.close(), second.close()]);
  }
}

// The hash alone, in process.
{
  const row = {
    at: Date.now(),
    actor_token_id: 12,
    actor_name: 'ci-pipeline',
    actor_kind: 'management',
    action: 'database.update',
    target_kind: 'database',
    target_id: 1,
    target_name: 'sensors',
    outcome: 'ok',
    source_ip: '10.0.0.5',
    request_id: 'req-1',
    count: 1,
    first_at: Date.now(),
    last_at: Date.now(),
    details: '{"maxTables":500}',
  };
  const rounds = 200_000;
  let prev = '0'.repeat(64);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) prev = auditHash(row, prev);
  const us = ((performance.now() - start) * 1000) / rounds;
  console.log(`auditHash (canonical encoding + SHA-256): ${us.toFixed(2)} µs per entry`);
}

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-audit-bench-'));
try {
  const file = join(dir, 'catalog.sqlite');
  await bench('sqlite', () => openCatalog({ kind: 'sqlite', file }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const name = `fluxgate_bench_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
try {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await bench('postgres', () => openCatalog({ kind: 'postgres', url: url.toString() }));
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
