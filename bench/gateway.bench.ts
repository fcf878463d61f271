// Gateway mode (issue 13): ingest points/s and query p50 through 1, 2 and 3 fluxgate gateways
// (`--storage influxdb3`, one PostgreSQL catalog) in front of a fluxgate storage node, side by side with
// the same requests sent to the storage node directly, in the same run. Targets: the gateway costs at
// most 10 % of the throughput and adds at most 2 ms to the query p50; and the total throughput as the
// gateways go from 1 to 3.
//
// The machine is shared and noisy, so nothing is measured one target after the other: ingest runs in
// ROUNDS rounds, each target once per round in a rotating order (the overhead is the median of the
// rounds' ratios of a gateway target to the direct one in the same round), and
// queries are interleaved one by one over the targets, every target asking the same database, filled
// once before anything is measured and never written again: each target writes a database of its
// own, and the same points applied in different rounds lie differently on disk (with a database each,
// one run had the gateway 1.3–1.9 ms faster than the storage node itself), and a database the rounds
// write grows with them (from 1.8M to 11M points when the rounds grew to 1M points: 4 ms to 35 ms a query). Queries
// come twice: one text repeated (a dashboard refreshing) and a text that differs each time (the gateway parses every one).
// Each ingest round starts once every process is quiet (the storage node's log applied): its leftover
// work would otherwise fall into whichever target comes next, the same work for every target but a
// different share in each round. After the queries, the ingest rounds run once more with the storage
// node on CPU 0 and the gateways and this client on CPU 1 (taskset), as if the gateways ran on
// machines of their own (printed, no target).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, call } from '../test/helpers/http.ts';
import { createScratchDatabase } from '../test/helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';
import { cpuSeconds, untilQuiet } from './peer/process-stats.ts';
import { FigureTable, fmt, median } from './peer/report.ts';

const BATCH_POINTS = 5_000;
/** Per ingest turn: 1M points, about 1.4 s (turns of 300k points spread from 0.62x to 1.0x of the best turn). */
const BATCHES = Number(process.env.GATEWAY_BENCH_BATCHES ?? 200);
const ROUNDS = Number(process.env.GATEWAY_BENCH_ROUNDS ?? 5);
/** Divisible by 1, 2 and 3: each gateway of a target gets as many connections. */
const CONNECTIONS = 6;
const QUERIES = Number(process.env.GATEWAY_BENCH_QUERIES ?? 200);
/**
 * Queries each process answers before anything is measured, half of each text kind: a gateway in
 * service has answered thousands, and one that has answered a few hundred still runs its code
 * unoptimised (measured: 2.6–3.1 ms added p50 cold, 1.5–1.7 ms after 3,000 queries).
 */
const WARMUP = Number(process.env.GATEWAY_BENCH_WARMUP ?? 2_000);
/**
 * Small writes (WARMUP_POINTS points each) each gateway answers before anything is measured, as a
 * gateway in service has answered thousands: its write path is optimised by the number of requests,
 * not their size (measured, gateway CPU per 1000 points over 15 s of 5,000-point batches: 0.21 ms
 * after 2 s of them, 0.15 after the same 2 s and 5,000 small writes, 0.12 after 30 s of them).
 */
const INGEST_WARMUP = Number(process.env.GATEWAY_BENCH_INGEST_WARMUP ?? 5_000);
const WARMUP_POINTS = 25;
const GATEWAYS = 3;
/** The database every target queries, QUERY_DB_BATCHES batches written to the storage node at the start. */
const QUERY_DB = 'bench_query';
const QUERY_DB_BATCHES = 360;
/** The database the ingest warm-up writes, so that no target's database holds more than its rounds. */
const WARMUP_DB = 'bench_warmup';

interface Target {
  label: string;
  urls: string[];
  token: string;
  /** The database it writes. */
  db: string;
  /** The processes that serve it (the storage node for the direct target, else its gateways). */
  pids: number[];
}

/**
 * CPU milliseconds a process has used. Less noisy than wall time on a shared machine: what one
 * request costs the gateway does not depend on what other processes do, and it is what the gateways
 * take from the storage node on shared cores.
 */
const cpuMs = (pid: number): number => cpuSeconds(pid) * 1000;
const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

let series = 0;
function batch(startNs: bigint, points = BATCH_POINTS): string {
  let text = '';
  for (let i = 0; i < points; i++) {
    const host = series++ % 100;
    text += `cpu,host=h${host},region=${host % 2 ? 'us' : 'eu'} usage_user=${(i % 97) / 3},usage_system=4.5,count=${i}i ${startNs + BigInt(i)}\n`;
  }
  return text;
}

let round = 0;
/** Points per second writing `batches` batches over CONNECTIONS connections spread evenly over the target's URLs. */
async function ingest(target: Target, batches = BATCHES): Promise<number> {
  const agent = keepAliveAgent(CONNECTIONS);
  const base = Date.now() - 3_600_000 + round++ * BATCHES;
  const bodies = Array.from({ length: batches }, (_, b) => batch(BigInt(base + b) * 1_000_000n));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      const url = new URL(`/api/v3/write_lp?db=${target.db}`, target.urls[worker % target.urls.length]);
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const reply = await request(agent, url, 'POST', { authorization: `Bearer ${target.token}` }, body);
        if (reply.status !== 204) throw new Error(`${target.label}: write answered ${reply.status} ${reply.body}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return (batches * BATCH_POINTS) / seconds;
}

/** INGEST_WARMUP small writes to each gateway, one after another, each with points of its own. */
async function warmUpIngest(targets: Target[]): Promise<void> {
  const agent = keepAliveAgent(1);
  const base = BigInt(Date.now() - 7_200_000) * 1_000_000n;
  for (const url of targets[GATEWAYS]!.urls) {
    for (let i = 0; i < INGEST_WARMUP; i++) {
      const body = batch(base + BigInt(series) * 1_000n, WARMUP_POINTS);
      const reply = await request(
        agent,
        new URL(`/api/v3/write_lp?db=${WARMUP_DB}`, url),
        'POST',
        {
          authorization: `Bearer ${targets[GATEWAYS]!.token}`,
        },
        body,
      );
      if (reply.status !== 204) throw new Error(`warm-up write answered ${reply.status} ${reply.body}`);
    }
  }
  agent.destroy();
}

/** A small aggregate query: the same text each time, or one that differs each time. */
const queryText = (i: number, repeated: boolean) =>
  repeated
    ? "SELECT count(*) AS n, max(usage_user) FROM cpu WHERE host = 'h7'"
    : `SELECT count(*) AS n, max(usage_user) FROM cpu WHERE host = 'h${i % 100}' AND count > -${i + 1}`;

/** Milliseconds of each query, the targets interleaved query by query, each alternating over its URLs. */
async function queryTimes(targets: Target[], repeated: boolean): Promise<number[][]> {
  const agents = targets.map(() => keepAliveAgent(1));
  const times = targets.map((): number[] => []);
  for (let i = 0; i < QUERIES + 20; i++) {
    const q = encodeURIComponent(queryText(i, repeated));
    for (const [t, target] of targets.entries()) {
      const url = new URL(`/api/v3/query_sql?db=${QUERY_DB}&q=${q}`, target.urls[i % target.urls.length]);
      const started = performance.now();
      const reply = await request(agents[t]!, url, 'GET', { authorization: `Bearer ${target.token}` });
      if (reply.status !== 200) throw new Error(`${target.label}: query answered ${reply.status} ${reply.body}`);
      if (i >= 20) times[t]!.push(performance.now() - started);
    }
  }
  for (const agent of agents) agent.destroy();
  return times;
}

/** WARMUP queries to each URL of the targets, one URL after another, alternating the two text kinds. */
async function warmUp(targets: Target[]): Promise<void> {
  const agent = keepAliveAgent(1);
  for (const target of targets) {
    for (const base of target.urls) {
      for (let i = 0; i < WARMUP; i++) {
        const q = encodeURIComponent(queryText(i, i % 2 === 0));
        const url = new URL(`/api/v3/query_sql?db=${QUERY_DB}&q=${q}`, base);
        const reply = await request(agent, url, 'GET', { authorization: `Bearer ${target.token}` });
        if (reply.status !== 200)
          throw new Error(`${target.label}: warm-up query answered ${reply.status} ${reply.body}`);
      }
    }
  }
  agent.destroy();
}

/**
 * ROUNDS rounds of ingest, each target once per round in a rotating order, each turn once every
 * process is quiet: the points/s of each turn, and the CPU per 1000 points of the gateways and of the
 * storage node.
 */
async function ingestRounds(targets: Target[], storagePid: number, everyPid: number[]) {
  const rates = targets.map((): number[] => []);
  /** CPU ms per 1000 points written, of the target's gateways and of the storage node. */
  const writeCpu = targets.map(() => ({ gateways: 0, storage: 0 }));
  let quietSeconds = 0;
  const per = (BATCHES * BATCH_POINTS * ROUNDS) / 1000;
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < targets.length; k++) {
      const t = (r + k) % targets.length;
      quietSeconds += await untilQuiet(everyPid);
      const before = { gateways: t === 0 ? 0 : cpuOf(targets[t]!.pids), storage: cpuMs(storagePid) };
      rates[t]!.push(await ingest(targets[t]!));
      if (t !== 0) writeCpu[t]!.gateways += (cpuOf(targets[t]!.pids) - before.gateways) / per;
      writeCpu[t]!.storage += (cpuMs(storagePid) - before.storage) / per;
    }
  }
  return { rates, writeCpu, quietSeconds };
}

/** Each round's points/s of target `t` over the direct target's in the same round. */
const ratiosOf = (rates: number[][], t: number) => rates[t]!.map((rate, r) => rate / rates[0]![r]!);
const roundRatios = (rates: number[][], t: number) =>
  ratiosOf(rates, t)
    .map((ratio) => fmt(ratio, 2))
    .join(' ');
/**
 * The throughput a target loses against the direct one, in %: 1 less the median of their ratios
 * round by round. The turns of one round run one after another, so what drifts over the run (the
 * machine's other tenants, the storage node's growing tables) divides out.
 */
const pairedOverhead = (rates: number[][], t: number) => (1 - median(ratiosOf(rates, t))) * 100;

/** Every thread of a process (and those it starts later) on one CPU. */
function pinTo(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
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
  const gateways: ServerProcess[] = [];
  // One after the other: the first migrates the catalog.
  for (let g = 0; g < GATEWAYS; g++) {
    const gateway = await startServerProcess({ args });
    gateways.push(gateway);
    processes.push(gateway);
  }
  const operator = await bootstrap(gateways[0]!.url);
  const targets: Target[] = [
    { label: 'upstream directly', urls: [storage.url], token: upstreamToken, db: 'bench_direct', pids: [storage.pid!] },
    ...gateways.map((_, g) => ({
      pids: gateways.slice(0, g + 1).map((gateway) => gateway.pid!),
      label: `through ${g + 1} gateway${g === 0 ? '' : 's'}`,
      urls: gateways.slice(0, g + 1).map((gateway) => gateway.url),
      token: operator,
      db: `bench_gw${g + 1}`,
    })),
  ];
  for (const db of [...targets.map((target) => target.db), QUERY_DB, WARMUP_DB]) {
    const created = await call(gateways[0]!.url, 'POST', '/api/v3/configure/database', {
      token: operator,
      json: { db },
    });
    if (created.status !== 201) throw new Error(`create ${db}: ${created.status} ${created.text}`);
  }
  console.log(`load average at the start: ${load()}`);
  for (let written = 0; written < QUERY_DB_BATCHES; written += BATCHES)
    await ingest({ ...targets[0]!, db: QUERY_DB }, Math.min(BATCHES, QUERY_DB_BATCHES - written));
  // Warm-up: every path opened once, then every process brought to the steady state it has in service.
  for (const target of targets) await ingest(target);
  await warmUpIngest(targets);
  await queryTimes(targets, false);
  await warmUp([targets[0]!, targets[GATEWAYS]!]);

  const everyPid = processes.map((p) => p.pid!);
  const shared = await ingestRounds(targets, storage.pid!, everyPid);
  const { rates, writeCpu } = shared;
  /** CPU ms per query (the repeated text), one target at a time. */
  const queryCpu = [];
  for (const [t, target] of targets.entries()) {
    const before = { gateways: t === 0 ? 0 : cpuOf(target.pids), storage: cpuMs(storage.pid!) };
    await queryTimes([target], true);
    const n = QUERIES + 20;
    queryCpu.push({
      gateways: t === 0 ? 0 : (cpuOf(target.pids) - before.gateways) / n,
      storage: (cpuMs(storage.pid!) - before.storage) / n,
    });
  }
  const rate = rates.map((samples) => median(samples));
  const repeated = (await queryTimes(targets, true)).map((times) => median(times));
  const distinct = (await queryTimes(targets, false)).map((times) => median(times));
  // The same rounds once more, the storage node on one core and everything else on the other: the
  // gateways' CPU no longer comes out of the storage node's, as when they run on machines of their own.
  pinTo(storage.pid!, 0);
  for (const pid of [...everyPid.filter((pid) => pid !== storage.pid), process.pid]) pinTo(pid, 1);
  const pinnedRates = (await ingestRounds(targets, storage.pid!, everyPid)).rates;
  const pinned = pinnedRates.map((samples) => median(samples));

  console.log(
    `ingest: ${BATCHES} batches of ${BATCH_POINTS} points over ${CONNECTIONS} connections, median of ${ROUNDS} rotating rounds:`,
  );
  for (const [t, target] of targets.entries()) {
    const spread = `${fmt(Math.min(...rates[t]!))}–${fmt(Math.max(...rates[t]!))}`;
    const ratios = t === 0 ? '' : `, of the direct turn of the same round ${roundRatios(rates, t)}`;
    console.log(`  ${target.label.padEnd(20)} ${fmt(rate[t]!).padStart(10)} points/s   (rounds ${spread}${ratios})`);
  }
  console.log(`  (waited ${fmt(shared.quietSeconds, 1)} s in all for the processes to be quiet before the rounds)`);
  console.log(`the same, the storage node on CPU 0 and the gateways and this client on CPU 1 (taskset):`);
  for (const [t, target] of targets.entries())
    console.log(`  ${target.label.padEnd(20)} ${fmt(pinned[t]!).padStart(10)} points/s`);
  console.log(`query p50 over ${QUERIES} queries per target, interleaved (repeated text | a new text each time):`);
  for (const [t, target] of targets.entries()) {
    console.log(
      `  ${target.label.padEnd(20)} ${fmt(repeated[t]!, 2).padStart(8)} ms | ${fmt(distinct[t]!, 2).padStart(8)} ms`,
    );
  }
  console.log('CPU per 1000 points written | per query (repeated text), in ms: gateways + storage node');
  for (const [t, target] of targets.entries()) {
    const w = writeCpu[t]!;
    const q = queryCpu[t]!;
    console.log(
      `  ${target.label.padEnd(20)} ${fmt(w.gateways, 2).padStart(6)} + ${fmt(w.storage, 2).padStart(6)}   | ${fmt(q.gateways, 2).padStart(6)} + ${fmt(q.storage, 2).padStart(6)}`,
    );
  }
  const table = new FigureTable();
  for (let g = 1; g <= GATEWAYS; g++) {
    const overhead = pairedOverhead(rates, g);
    table.record(
      `ingest overhead, ${g} gateway${g === 1 ? '' : 's'}`,
      `${fmt(overhead, 1)} %`,
      '≤ 10 %',
      overhead <= 10,
    );
  }
  for (const [kind, p50] of [
    ['repeated', repeated],
    ['new text', distinct],
  ] as const) {
    for (let g = 1; g <= GATEWAYS; g++) {
      const added = p50[g]! - p50[0]!;
      table.record(
        `query p50 added, ${g} gateway${g === 1 ? '' : 's'} (${kind})`,
        `${fmt(added, 2)} ms`,
        '≤ 2 ms',
        added <= 2,
      );
    }
  }
  for (let g = 1; g <= GATEWAYS; g++) {
    table.record(
      `ingest overhead, ${g} gateway${g === 1 ? '' : 's'}, storage node on a core of its own`,
      `${fmt(pairedOverhead(pinnedRates, g), 1)} %`,
    );
  }
  for (let g = 2; g <= GATEWAYS; g++)
    table.record(`${g} vs 1 gateway ingest throughput`, `${fmt(rate[g]! / rate[1]!, 2)}×`);
  table.print();
  console.log(`load average at the end: ${load()}`);
  console.log(
    '(all processes share this machine: the gateways, the storage node and this client compete for the same cores,',
  );
  console.log(' so more gateways cannot add throughput here beyond what the storage node leaves idle)');
} finally {
  await Promise.all(processes.map((p) => p.dispose()));
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
