// Gateway mode (issue 13): ingest points/s and query p50 through one and two fluxgate gateways
// (`--storage influxdb3`, one PostgreSQL catalog) in front of a fluxgate storage node, side by side with
// the same requests sent to the storage node directly, in the same run. Targets: the gateway costs at
// most 10 % of the throughput and adds at most 2 ms to the query p50.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, call } from '../test/helpers/http.ts';
import { createScratchDatabase } from '../test/helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';
import { FigureTable, fmt, median } from './peer/report.ts';

const BATCH_POINTS = 5_000;
const BATCHES = Number(process.env.GATEWAY_BENCH_BATCHES ?? 40);
const CONNECTIONS = 4;
const QUERIES = Number(process.env.GATEWAY_BENCH_QUERIES ?? 300);

interface Target {
  label: string;
  urls: string[];
  token: string;
}

let series = 0;
function batch(startNs: bigint): string {
  let text = '';
  for (let i = 0; i < BATCH_POINTS; i++) {
    const host = series++ % 100;
    text += `cpu,host=h${host},region=${host % 2 ? 'us' : 'eu'} usage_user=${(i % 97) / 3},usage_system=4.5,count=${i}i ${startNs + BigInt(i)}\n`;
  }
  return text;
}

/** Points per second writing BATCHES batches over CONNECTIONS connections spread over the target's URLs. */
async function ingest(target: Target, db: string): Promise<number> {
  const agent = keepAliveAgent(CONNECTIONS);
  const bodies = Array.from({ length: BATCHES }, (_, b) => batch(BigInt(Date.now() - 3_600_000 + b) * 1_000_000n));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      const url = new URL(`/api/v3/write_lp?db=${db}`, target.urls[worker % target.urls.length]);
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const reply = await request(agent, url, 'POST', { authorization: `Bearer ${target.token}` }, body);
        if (reply.status !== 204) throw new Error(`${target.label}: write answered ${reply.status} ${reply.body}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return (BATCHES * BATCH_POINTS) / seconds;
}

/** Median milliseconds of a small aggregate query, one at a time, alternating over the target's URLs. */
async function queryP50(target: Target, db: string): Promise<number> {
  const agent = keepAliveAgent(1);
  const q = encodeURIComponent("SELECT count(*) AS n, max(usage_user) FROM cpu WHERE host = 'h7'");
  const times: number[] = [];
  for (let i = 0; i < QUERIES + 20; i++) {
    const url = new URL(`/api/v3/query_sql?db=${db}&q=${q}`, target.urls[i % target.urls.length]);
    const started = performance.now();
    const reply = await request(agent, url, 'GET', { authorization: `Bearer ${target.token}` });
    if (reply.status !== 200) throw new Error(`${target.label}: query answered ${reply.status} ${reply.body}`);
    if (i >= 20) times.push(performance.now() - started);
  }
  agent.destroy();
  return median(times);
}

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-gateway-bench-'));
const scratch = await createScratchDatabase('gateway');
const processes: ServerProcess[] = [];
try {
  const storage = await startServerProcess({ dataDir: join(dir, 'storage'), args: ['--log-level', 'warn'] });
  processes.push(storage);
  const upstreamToken = await bootstrap(storage.url);
  const tokenFile = join(dir, 'upstream-token');
  writeFileSync(tokenFile, upstreamToken, { mode: 0o600 });
  const args = ['--catalog', scratch.url, '--storage', 'influxdb3', '--upstream-url', storage.url];
  args.push('--upstream-token-file', tokenFile, '--log-level', 'warn');
  const a = await startServerProcess({ args });
  processes.push(a);
  const b = await startServerProcess({ args });
  processes.push(b);
  const operator = await bootstrap(a.url);
  const direct: Target = { label: 'upstream directly', urls: [storage.url], token: upstreamToken };
  const one: Target = { label: '1 gateway', urls: [a.url], token: operator };
  const two: Target = { label: '2 gateways', urls: [a.url, b.url], token: operator };
  for (const db of ['bench_direct', 'bench_one', 'bench_two']) {
    const created = await call(a.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db } });
    if (created.status !== 201) throw new Error(`create ${db}: ${created.status} ${created.text}`);
  }
  // Warm-up: every path opened once.
  for (const [target, db] of [
    [direct, 'bench_direct'],
    [one, 'bench_one'],
    [two, 'bench_two'],
  ] as const) {
    await ingest({ ...target }, db);
  }
  const rates = { direct: 0, one: 0, two: 0 };
  rates.direct = await ingest(direct, 'bench_direct');
  rates.one = await ingest(one, 'bench_one');
  rates.two = await ingest(two, 'bench_two');
  const p50 = { direct: 0, one: 0, two: 0 };
  p50.direct = await queryP50(direct, 'bench_direct');
  p50.one = await queryP50(one, 'bench_one');
  p50.two = await queryP50(two, 'bench_two');

  console.log(
    `ingest, ${BATCHES} batches of ${BATCH_POINTS} points over ${CONNECTIONS} connections (after a warm-up run):`,
  );
  for (const [label, rate] of [
    ['upstream directly', rates.direct],
    ['through 1 gateway', rates.one],
    ['through 2 gateways', rates.two],
  ] as const) {
    console.log(`  ${label.padEnd(20)} ${fmt(rate).padStart(10)} points/s`);
  }
  console.log(`query p50 over ${QUERIES} sequential queries:`);
  for (const [label, ms] of [
    ['upstream directly', p50.direct],
    ['through 1 gateway', p50.one],
    ['through 2 gateways', p50.two],
  ] as const) {
    console.log(`  ${label.padEnd(20)} ${fmt(ms, 2).padStart(8)} ms`);
  }
  const table = new FigureTable();
  const overhead = (1 - rates.one / rates.direct) * 100;
  table.record('ingest overhead, 1 gateway', `${fmt(overhead, 1)} %`, '≤ 10 %', overhead <= 10);
  const overhead2 = (1 - rates.two / rates.direct) * 100;
  table.record('ingest overhead, 2 gateways', `${fmt(overhead2, 1)} %`, '≤ 10 %', overhead2 <= 10);
  table.record('query p50 added, 1 gateway', `${fmt(p50.one - p50.direct, 2)} ms`, '≤ 2 ms', p50.one - p50.direct <= 2);
  table.record(
    'query p50 added, 2 gateways',
    `${fmt(p50.two - p50.direct, 2)} ms`,
    '≤ 2 ms',
    p50.two - p50.direct <= 2,
  );
  table.record('2 vs 1 gateway throughput', `${fmt(rates.two / rates.one, 2)}×`);
  table.print();
  console.log('(all processes share this machine: the gateways and the storage node compete for the same cores)');
} finally {
  await Promise.all(processes.map((p) => p.dispose()));
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
