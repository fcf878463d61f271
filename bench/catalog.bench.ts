// Catalog throughput on both adapters: createToken/s (one transaction each, sequential and 8 at a
// time) and findTokenByHash/s. Runs in well under 30 s; needs PostgreSQL on 127.0.0.1:5432.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { AuditEntry, Catalog, NewToken } from '../src/catalog/catalog.ts';
import { openCatalog } from '../src/catalog/open-catalog.ts';
import { generateToken, hashToken } from '../src/domain/token-format.ts';

const ADMIN_URL = process.env.FLUXGATE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = 2;

let serial = 0;
function token(): { input: NewToken; hash: string } {
  serial += 1;
  return {
    input: {
      kind: 'database',
      name: `bench-${serial}`,
      description: null,
      hint: 'fgd_…',
      createdAt: Date.now(),
      createdBy: null,
      expiresAt: null,
      grants: [{ type: 'db', databases: [1, 2], actions: 48 }],
    },
    hash: hashToken(generateToken('database')),
  };
}

const audit = (): AuditEntry => ({
  at: Date.now(),
  actorTokenId: null,
  actorName: 'bench',
  action: 'token.create',
  targetKind: 'token',
  targetId: null,
  targetName: null,
  outcome: 'ok',
  sourceIp: null,
  details: {},
});

interface Rate {
  /** Operations per wall-clock second. */
  wall: number;
  /** Operations per CPU second of this process: steadier on a busy machine, blind to the server's work. */
  cpu: number;
}

/** Runs `op` with `parallel` workers for SECONDS. */
async function rate(parallel: number, op: () => Promise<unknown>): Promise<Rate> {
  let done = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const until = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (performance.now() < until) {
        await op();
        done += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  return { wall: done / ((performance.now() - start) / 1000), cpu: done / ((cpu.user + cpu.system) / 1e6) };
}

const fmt = ({ wall, cpu }: Rate) =>
  `${Math.round(wall).toLocaleString('en-US').padStart(7)}/s (${Math.round(cpu).toLocaleString('en-US')} per CPU-s)`;

async function bench(label: string, catalog: Catalog): Promise<void> {
  const hashes: string[] = [];
  const create = () => {
    const { input, hash } = token();
    hashes.push(hash);
    return catalog.createToken(input, hash, audit());
  };
  const sequential = await rate(1, create);
  const parallel = await rate(8, create);
  let i = 0;
  const find = await rate(1, () => catalog.findTokenByHash(hashes[i++ % hashes.length] ?? ''));
  console.log(`${label}: createToken ${fmt(sequential)}, 8 at a time ${fmt(parallel)}; findTokenByHash ${fmt(find)}`);
}

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-bench-'));
const sqlite = await openCatalog({ kind: 'sqlite', file: join(dir, 'catalog.sqlite') });
try {
  await bench('sqlite', sqlite);
} finally {
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}

const name = `fluxgate_bench_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`create database ${name}`);
try {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const postgres = await openCatalog({ kind: 'postgres', url: url.toString() });
  try {
    await bench('postgres', postgres);
  } finally {
    await postgres.close();
  }
} finally {
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
