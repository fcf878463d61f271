// fluxgate side by side with InfluxDB 1.x (Debian's influxdb package, installed with apt if missing),
// both on loopback with authentication on, fed the same line protocol as clients print it
// (bench/peer/realistic-lines.ts: 3-decimal, full-precision and exponent floats, an integer, a
// string field, a timestamp per point; 5,000-line batches):
//   1. ingest points/s with 1, 2 and 4 connections (token vs WRITE-only user), in ABBA order, each
//      turn on a quiet machine with the other system stopped, with each system's CPU per point (its
//      background work included);
//   1b. the same with 10 % of the points rewriting points of earlier batches (into another database);
//   2. the cost of authentication: token-checked fluxgate vs a `--without-auth` one, interleaved;
//   3. a count and a per-host 1-minute mean/max over everything stored, median of 3 runs each, each
//      on a quiet machine; then
//      write-then-query latency: one point written, then a count that must include it;
//   4. fluxgate's peak RSS during ingest and bytes on disk per point (InfluxDB's for comparison).
// Prints every figure and a table of targets; exits non-zero only when something broke.
// Knobs: BENCH_POINTS_PER_CONFIG and BENCH_AUTH_POINTS (default 1,000,000), BENCH_REWRITE_POINTS
// (default 500,000 per configuration), BENCH_AUTH_RUNS (default 2), BENCH_PROBES (default 200),
// BENCH_BUDGET_SECONDS (default 450: step 2 uses fewer points, and says so, when the machine is too slow).
// The servers inherit the environment: FLUXGATE_PARSE_WORKERS=0 runs fluxgate with line protocol
// parsed on its event loop instead of its parse worker (src/storage/lineprotocol/parse-pool.ts).
import { performance } from 'node:perf_hooks';
import { bootstrap, call } from '../test/helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process.ts';
import { type InfluxPeer, startInfluxPeer } from './peer/influxdb.ts';
import { basicAuth, keepAliveAgent, request } from './peer/keep-alive-http.ts';
import { cpuSeconds, diskUsage, findPidByCmdline, memoryStatus, sampleRss, untilQuiet } from './peer/process-stats.ts';
import { realisticBatches } from './peer/realistic-lines.ts';
import { FigureTable, fmt, median, mib } from './peer/report.ts';

const SERIES = 100;
const BATCH_LINES = 5_000;
const STEPS_PER_BATCH = BATCH_LINES / SERIES;
const CONNECTIONS = [1, 2, 4];
const POINTS_PER_CONFIG = Number(process.env.BENCH_POINTS_PER_CONFIG ?? 1_000_000);
const AUTH_RUNS = Math.max(2, Number(process.env.BENCH_AUTH_RUNS ?? 2));
const AUTH_POINTS = Number(process.env.BENCH_AUTH_POINTS ?? 1_000_000);
const AUTH_CHUNKS = 4;
const REWRITE_POINTS_PER_CONFIG = Number(process.env.BENCH_REWRITE_POINTS ?? 500_000);
const REWRITE_SHARE = 0.1;
const PROBES = Number(process.env.BENCH_PROBES ?? 200);
/** Step 2 shrinks (and says so) when the machine is too slow for the whole run to fit in this. */
const BUDGET_SECONDS = Number(process.env.BENCH_BUDGET_SECONDS ?? 450);
const QUERY_RUNS = 3;
const WARMUP_BATCHES = 20;
const START_SECONDS = Date.UTC(2024, 0, 1) / 1000;
const COUNT_SQL = 'SELECT count(usage_user) FROM cpu';
const BUCKETS_SQL =
  "SELECT date_bin(INTERVAL '1 minute', time) AS t, host, avg(usage_user), max(usage_user) FROM cpu GROUP BY 1, 2";
const ADMIN = { user: 'admin', password: 'x' };
const WRITER = { user: 'writer', password: 'y' };

if (POINTS_PER_CONFIG % (2 * BATCH_LINES) !== 0)
  throw new Error(`BENCH_POINTS_PER_CONFIG must be a multiple of ${2 * BATCH_LINES}`);
if (AUTH_POINTS % (AUTH_CHUNKS * BATCH_LINES) !== 0 || AUTH_POINTS > 3 * POINTS_PER_CONFIG)
  throw new Error(
    `BENCH_AUTH_POINTS must be a multiple of ${AUTH_CHUNKS * BATCH_LINES}, at most 3 × the points per configuration`,
  );
if (REWRITE_POINTS_PER_CONFIG % (2 * BATCH_LINES) !== 0)
  throw new Error(`BENCH_REWRITE_POINTS must be a multiple of ${2 * BATCH_LINES}`);
const BATCHES_PER_CONFIG = POINTS_PER_CONFIG / BATCH_LINES;
const REWRITE_BATCHES_PER_CONFIG = REWRITE_POINTS_PER_CONFIG / BATCH_LINES;

// ---------------------------------------------------------------- data

/** Batch `b` holds seconds [b·50, b·50+50) of all 100 series, one point per series per second. */
function generateBatches(count: number, rewriteShare = 0, seed = 42): Buffer[] {
  return realisticBatches({
    batches: count,
    series: SERIES,
    stepsPerBatch: STEPS_PER_BATCH,
    startSeconds: START_SECONDS,
    seed,
    rewriteShare,
  });
}

// ---------------------------------------------------------------- ingest

interface WriteTarget {
  name: string;
  /** The server's process, for its CPU time. */
  pid: number;
  url: URL;
  headers: Record<string, string>;
}

/** Posts `batches` over exactly `connections` keep-alive sockets; returns the seconds taken. */
async function ingest(target: WriteTarget, batches: Buffer[], connections: number): Promise<number> {
  const agent = keepAliveAgent(connections);
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < batches.length) {
          const body = batches[next++]!;
          const reply = await request(agent, target.url, 'POST', target.headers, body);
          if (reply.status !== 204)
            throw new Error(`${target.name} write: ${reply.status} ${reply.body.toString().slice(0, 500)}`);
        }
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    agent.destroy();
  }
}

function fluxgateTarget(name: string, server: ServerProcess, pid: number, db: string, token?: string): WriteTarget {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return { name, pid, url: new URL(`/api/v3/write_lp?db=${db}&precision=ns`, server.url), headers };
}

function influxTarget(peer: InfluxPeer, db: string): WriteTarget {
  return {
    name: 'InfluxDB',
    pid: peer.pid,
    url: new URL(`/write?db=${db}&precision=ns`, peer.url),
    headers: { 'content-type': 'text/plain; charset=utf-8', authorization: basicAuth(WRITER.user, WRITER.password) },
  };
}

// ---------------------------------------------------------------- fluxgate setup

async function expectStatus<T extends { status: number; text: string }>(
  label: string,
  response: Promise<T>,
  status: number,
): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`${label}: ${r.status} ${r.text}`);
  return r;
}

async function createDatabases(server: ServerProcess, names: string[], token?: string): Promise<void> {
  for (const db of names) {
    const options = token === undefined ? { json: { db } } : { token, json: { db } };
    await expectStatus(`create ${db}`, call(server.url, 'POST', '/api/v3/configure/database', options), 201);
  }
}

async function databaseToken(server: ServerProcess, operator: string, name: string, dbs: string[]): Promise<string> {
  const r = await expectStatus(
    `token ${name}`,
    call<{ token: string }>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: {
        token_name: name,
        permissions: [{ resource_type: 'db', resource_names: dbs, actions: ['read', 'write'] }],
      },
    }),
    201,
  );
  return r.body.token;
}

async function databaseFileUsage(server: ServerProcess, operator: string, db: string): Promise<number> {
  const r = await expectStatus(
    'list databases',
    call<Array<{ 'iox::database': string; id: number }>>(server.url, 'GET', '/api/v3/configure/database?format=json', {
      token: operator,
    }),
    200,
  );
  const id = r.body.find((d) => d['iox::database'] === db)?.id;
  if (id === undefined) throw new Error(`no database ${db}`);
  return databaseBytes(`${server.dataDir}/dbs/${id}.duckdb`);
}

/** A database's file, DuckDB's WAL beside it and fluxgate's write-ahead log of points (when there is one). */
function databaseBytes(file: string): number {
  return diskUsage(file).allocated + diskUsage(`${file}.wal`).allocated + diskUsage(`${file}.points-wal`).allocated;
}

// ---------------------------------------------------------------- queries

interface QueryAnswer {
  seconds: number;
  count: number;
}

async function timed(run: () => Promise<number>): Promise<QueryAnswer> {
  const started = performance.now();
  const count = await run();
  return { count, seconds: (performance.now() - started) / 1000 };
}

async function fluxgateSql(server: ServerProcess, token: string, sql: string, db = 'metrics'): Promise<unknown[]> {
  const url = new URL('/api/v3/query_sql', server.url);
  url.search = new URLSearchParams({ db, q: sql, format: 'json' }).toString();
  const agent = keepAliveAgent(1);
  try {
    const reply = await request(agent, url, 'GET', { authorization: `Bearer ${token}` });
    if (reply.status !== 200) throw new Error(`fluxgate query: ${reply.status} ${reply.body.toString()}`);
    return JSON.parse(reply.body.toString()) as unknown[];
  } finally {
    agent.destroy();
  }
}

interface InfluxSeries {
  tags?: Record<string, string>;
  values?: unknown[][];
}

async function influxQl(peer: InfluxPeer, q: string, db = 'metrics'): Promise<InfluxSeries[]> {
  const url = new URL('/query', peer.url);
  url.search = new URLSearchParams({ db, q, epoch: 'ns' }).toString();
  const agent = keepAliveAgent(1);
  try {
    const reply = await request(agent, url, 'GET', { authorization: basicAuth(ADMIN.user, ADMIN.password) });
    const text = reply.body.toString();
    if (reply.status !== 200) throw new Error(`InfluxDB query: ${reply.status} ${text.slice(0, 500)}`);
    const body = JSON.parse(text) as { results: Array<{ error?: string; series?: InfluxSeries[] }> };
    const result = body.results[0];
    if (result?.error !== undefined) throw new Error(`InfluxDB query: ${result.error}`);
    return result?.series ?? [];
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------- side by side

interface IngestRate {
  connections: number;
  fluxgate: number;
  influx: number;
  /** CPU microseconds per point each system used over the configuration, its background work included. */
  cpuPerPoint: { fluxgate: number; influx: number };
  /** Seconds spent waiting for both systems to finish their background work before the turns. */
  quietSeconds: number;
}

/**
 * Each connection count takes its own slice of `batches` (`perConfig` batches), written by both
 * systems in ABBA order over two halves, alternating which system starts; returns points/s. A turn
 * starts once both systems are quiet (untilQuiet): the work either does after acknowledging, such
 * as fluxgate applying its log or InfluxDB compacting, would otherwise slow the other's turn. During
 * a turn the other system is stopped (SIGSTOP, SIGCONT after it): work that starts on a timer after
 * the quiet wait, as InfluxDB's compactions do (measured: 0.38 cores taken during one fluxgate turn),
 * then waits for the next quiet wait instead of taking the cores of the turn. Nothing is lost from the
 * figures: each system's CPU per point covers everything it did.
 */
async function ingestSideBySide(
  fluxgate: WriteTarget,
  influx: WriteTarget,
  batches: Buffer[],
  perConfig: number,
): Promise<IngestRate[]> {
  const rates: IngestRate[] = [];
  const pids = [fluxgate.pid, influx.pid];
  for (const [index, connections] of CONNECTIONS.entries()) {
    const slice = batches.slice(index * perConfig, (index + 1) * perConfig);
    const halves = [slice.slice(0, slice.length / 2), slice.slice(slice.length / 2)];
    const [a, b] = index % 2 === 0 ? [fluxgate, influx] : [influx, fluxgate];
    let quietSeconds = await untilQuiet(pids);
    const cpuAtStart = pids.map(cpuSeconds);
    const seconds = new Map<WriteTarget, number>([
      [fluxgate, 0],
      [influx, 0],
    ]);
    for (const [turn, [system, half]] of (
      [
        [a, halves[0]!],
        [b, halves[0]!],
        [b, halves[1]!],
        [a, halves[1]!],
      ] as const
    ).entries()) {
      if (turn > 0) quietSeconds += await untilQuiet(pids);
      const other = system === fluxgate ? influx : fluxgate;
      const taken = await whileStopped(other.pid, () => ingest(system, half, connections));
      seconds.set(system, seconds.get(system)! + taken);
    }
    quietSeconds += await untilQuiet(pids);
    const [fluxgateCpu, influxCpu] = pids.map((pid, i) => cpuSeconds(pid) - cpuAtStart[i]!);
    const points = perConfig * BATCH_LINES;
    const fluxgateSeconds = seconds.get(fluxgate)!;
    const influxSeconds = seconds.get(influx)!;
    rates.push({
      connections,
      fluxgate: points / fluxgateSeconds,
      influx: points / influxSeconds,
      cpuPerPoint: { fluxgate: (fluxgateCpu! / points) * 1e6, influx: (influxCpu! / points) * 1e6 },
      quietSeconds,
    });
  }
  return rates;
}

/** Runs `work` with process `pid` stopped (SIGSTOP), continuing it (SIGCONT) whatever happens. */
async function whileStopped<T>(pid: number, work: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** Prints and records each connection count's rates and ratio, with what each system's CPU did. */
function printRates(label: string, rates: IngestRate[], target: number): void {
  for (const rate of rates) {
    const ratio = rate.fluxgate / rate.influx;
    const plural = rate.connections === 1 ? ' ' : 's';
    console.log(
      `  ${rate.connections} connection${plural}  fluxgate ${fmt(rate.fluxgate).padStart(9)} points/s  ` +
        `InfluxDB ${fmt(rate.influx).padStart(9)} points/s  fluxgate ÷ InfluxDB = ${fmt(ratio, 2)}  (target ≥ ${fmt(target, 1)})`,
    );
    console.log(
      `      CPU per point, background work included: fluxgate ${fmt(rate.cpuPerPoint.fluxgate, 2)} µs, ` +
        `InfluxDB ${fmt(rate.cpuPerPoint.influx, 2)} µs; ${fmt(rate.quietSeconds, 1)} s waited for quiet ` +
        '(the other system stopped during each turn)',
    );
    record(`${label} ${rate.connections} conn, fluxgate points/s`, fmt(rate.fluxgate));
    record(`${label} ${rate.connections} conn, InfluxDB points/s`, fmt(rate.influx));
    record(
      `${label} ${rate.connections} conn, fluxgate ÷ InfluxDB`,
      fmt(ratio, 2),
      `≥ ${fmt(target, 1)}`,
      ratio >= target,
    );
    record(`${label} ${rate.connections} conn, CPU µs/point fluxgate`, fmt(rate.cpuPerPoint.fluxgate, 2));
    record(`${label} ${rate.connections} conn, CPU µs/point InfluxDB`, fmt(rate.cpuPerPoint.influx, 2));
  }
}

/** The p-th percentile (0..100) by nearest rank. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface ProbeSystem {
  /** Writes the probe point with this sequence number; resolves once acknowledged. */
  write(sequence: number): Promise<void>;
  /** The count of probe points. */
  count(): Promise<number>;
}

/**
 * Write-then-query: each round writes one point and at once asks for the count of probe points,
 * which must include it. Returns the query's and the whole round's latencies (ms), and how many
 * counts missed the point just written.
 */
async function probeLatency(system: ProbeSystem, rounds: number, first: number) {
  const queryMs: number[] = [];
  const roundMs: number[] = [];
  let misses = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await system.write(first + i);
    const written = performance.now();
    const count = await system.count();
    const done = performance.now();
    if (count < first + i + 1) misses++;
    queryMs.push(done - written);
    roundMs.push(done - started);
  }
  return { queryMs, roundMs, misses };
}

// ---------------------------------------------------------------- printing

const figures = new FigureTable();
const record = figures.record.bind(figures);
const printTable = () => figures.print();

// ---------------------------------------------------------------- main

const benchStarted = performance.now();
let fluxgate: ServerProcess | undefined;
let noAuth: ServerProcess | undefined;
let influx: InfluxPeer | undefined;
/** fluxgate servers still running (no handle but their pid): removed once stopped, as pids get reused. */
const childPids: number[] = [];
// Last resort if this process dies without reaching `finally`: nothing we started may outlive it.
process.once('exit', () => {
  influx?.killNow();
  for (const pid of childPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
let cleaning: Promise<unknown> | undefined;
const cleanup = () => {
  cleaning ??= Promise.allSettled([fluxgate?.dispose(), noAuth?.dispose(), influx?.dispose()]).then(() => {
    childPids.length = 0;
  });
  return cleaning;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    void cleanup().finally(() => process.exit(130));
  });

try {
  const totalBatches = BATCHES_PER_CONFIG * CONNECTIONS.length;
  const t0 = performance.now();
  const batches = generateBatches(totalBatches);
  const totalPoints = totalBatches * BATCH_LINES;
  const bytes = batches.reduce((sum, b) => sum + b.length, 0);
  console.log(
    `data: ${fmt(totalPoints)} points in ${fmt(totalBatches)} batches of ${fmt(BATCH_LINES)} lines, ${SERIES} series, ` +
      `${fmt(totalPoints / SERIES / 3600, 1)} h of data, ${mib(bytes)} of line protocol (generated in ${fmt(performance.now() - t0)} ms)`,
  );

  // ---- servers
  const authDbs = Array.from({ length: AUTH_RUNS }, (_, i) => `authcost_${i + 1}`);
  // Started together; whichever started is kept for `finally` even if another failed.
  const started = await Promise.allSettled([
    startServerProcess({ args: ['--log-level', 'warn'] }).then((s) => (fluxgate = s)),
    startServerProcess({ args: ['--without-auth', '--log-level', 'warn'] }).then((s) => (noAuth = s)),
    startInfluxPeer().then((p) => (influx = p)),
  ]);
  for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
  if (!fluxgate || !noAuth || !influx) throw new Error('a server did not start');
  const fluxgatePid = findPidByCmdline(`${fluxgate.dataDir} `);
  const noAuthPid = findPidByCmdline(`${noAuth.dataDir} `);
  childPids.push(fluxgatePid, noAuthPid);
  console.log(`peer: ${influx.version}`);

  const operator = await bootstrap(fluxgate.url);
  await createDatabases(fluxgate, ['metrics', 'rewrites', 'warmup', ...authDbs], operator);
  const token = await databaseToken(fluxgate, operator, 'bench-metrics', ['metrics', 'rewrites', 'warmup']);
  const authCostToken = await databaseToken(fluxgate, operator, 'bench-authcost', authDbs);
  await createDatabases(noAuth, ['warmup', ...authDbs]);

  await influx.query(`CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`);
  for (const q of [
    'CREATE DATABASE metrics',
    'CREATE DATABASE rewrites',
    'CREATE DATABASE warmup',
    `CREATE USER ${WRITER.user} WITH PASSWORD '${WRITER.password}'`,
    `GRANT WRITE ON metrics TO ${WRITER.user}`,
    `GRANT WRITE ON rewrites TO ${WRITER.user}`,
    `GRANT WRITE ON warmup TO ${WRITER.user}`,
  ])
    await influx.query(q, ADMIN);

  // ---- warm-up (JIT, connection paths) into a database of its own on every server. The server
  // without auth is used only in step 2, after the other has taken millions of points in step 1:
  // it takes a whole configuration's worth, or step 2 would compare a hot server with a lukewarm one.
  const warmup = batches.slice(0, WARMUP_BATCHES);
  await ingest(fluxgateTarget('fluxgate', fluxgate, fluxgatePid, 'warmup', token), warmup, 2);
  await ingest(influxTarget(influx, 'warmup'), warmup, 2);
  await ingest(
    fluxgateTarget('fluxgate without auth', noAuth, noAuthPid, 'warmup'),
    batches.slice(0, BATCHES_PER_CONFIG),
    2,
  );

  // ---- 1. ingest, ABBA per configuration, alternating which system starts
  console.log(`\n1. ingest, ${fmt(POINTS_PER_CONFIG)} points per configuration per system (ABBA in two halves)`);
  const fluxgateMetrics = fluxgateTarget('fluxgate', fluxgate, fluxgatePid, 'metrics', token);
  const influxMetrics = influxTarget(influx, 'metrics');
  const fluxgateRewrites = fluxgateTarget('fluxgate', fluxgate, fluxgatePid, 'rewrites', token);
  const influxRewrites = influxTarget(influx, 'rewrites');
  const rewriteBatches = generateBatches(REWRITE_BATCHES_PER_CONFIG * CONNECTIONS.length, REWRITE_SHARE, 7);
  const influxPid = influx.pid;
  let ingestRates: IngestRate[] = [];
  let rewriteRates: IngestRate[] = [];
  const sampled = await sampleRss([fluxgatePid, influxPid], async () => {
    ingestRates = await ingestSideBySide(fluxgateMetrics, influxMetrics, batches, BATCHES_PER_CONFIG);
    printRates('ingest', ingestRates, 1.5);

    console.log(
      `\n1b. ingest with ${fmt(REWRITE_SHARE * 100)} % of the points rewriting two fields of a point of one of the ` +
        `20 batches before, ${fmt(REWRITE_POINTS_PER_CONFIG)} points per configuration per system (ABBA)`,
    );
    rewriteRates = await ingestSideBySide(fluxgateRewrites, influxRewrites, rewriteBatches, REWRITE_BATCHES_PER_CONFIG);
    printRates('rewrites', rewriteRates, 1.0);
  });

  // ---- 4. memory and disk, right after ingest
  const hwmAfterIngest = memoryStatus(fluxgatePid).hwm;
  const influxHwm = memoryStatus(influxPid).hwm;
  const fluxgateBytes = await databaseFileUsage(fluxgate, operator, 'metrics');
  const influxBytesAfterIngest =
    diskUsage(`${influx.root}/data/metrics`).allocated + diskUsage(`${influx.root}/wal/metrics`).allocated;

  // ---- 3. queries, alternating which system goes first
  console.log(`\n3. queries over ${fmt(totalPoints)} points, median of ${QUERY_RUNS} runs`);
  const lastSecond = START_SECONDS + totalPoints / SERIES - 1;
  const queries = [
    {
      name: 'count',
      // Issue 11: no worse than before the write-ahead log (18–25× the count, 5.7–6.5× the buckets).
      floor: 18,
      fluxgate: async () => {
        const rows = (await fluxgateSql(fluxgate!, token, COUNT_SQL)) as Array<Record<string, unknown>>;
        return Number(Object.values(rows[0] ?? {})[0]);
      },
      influx: async () => {
        const series = await influxQl(influx!, 'SELECT count(usage_user) FROM cpu');
        return Number(series[0]?.values?.[0]?.[1]);
      },
      expected: totalPoints,
    },
    {
      name: '1-minute mean/max per host',
      floor: 5.7,
      fluxgate: async () => (await fluxgateSql(fluxgate!, token, BUCKETS_SQL)).length,
      influx: async () => {
        const series = await influxQl(
          influx!,
          `SELECT mean(usage_user), max(usage_user) FROM cpu WHERE time >= ${START_SECONDS}000000000 AND time <= ${lastSecond}000000000 GROUP BY time(1m), host`,
        );
        return series.reduce((sum, s) => sum + (s.values?.length ?? 0), 0);
      },
      expected: (SERIES * (lastSecond - START_SECONDS + 1)) / 60,
    },
  ];
  for (const query of queries) {
    const times = { fluxgate: [] as number[], influx: [] as number[] };
    const counts = { fluxgate: new Set<number>(), influx: new Set<number>() };
    for (let run = 0; run < QUERY_RUNS; run++) {
      const order = run % 2 === 0 ? (['fluxgate', 'influx'] as const) : (['influx', 'fluxgate'] as const);
      for (const system of order) {
        // As for ingest: the other system's leftover work (InfluxDB collects garbage after a large
        // query) must not run during this one.
        await untilQuiet([fluxgatePid, influxPid]);
        const answer = await timed(query[system]);
        times[system].push(answer.seconds);
        counts[system].add(answer.count);
      }
    }
    const [fc, ic] = [[...counts.fluxgate], [...counts.influx]];
    const unit = query.name === 'count' ? 'count' : 'groups';
    console.log(
      `  ${query.name}: fluxgate ${fmt(median(times.fluxgate) * 1000, 1)} ms, InfluxDB ${fmt(median(times.influx) * 1000, 1)} ms; ` +
        `${unit} fluxgate ${fc.map((n) => fmt(n)).join('/')}, InfluxDB ${ic.map((n) => fmt(n)).join('/')} (expected ${fmt(query.expected)})`,
    );
    if (fc.length !== 1 || ic.length !== 1 || fc[0] !== ic[0])
      throw new Error(`${query.name}: the systems disagree (fluxgate ${fc}, InfluxDB ${ic})`);
    if (fc[0] !== query.expected) console.log(`  warning: both answered ${fc[0]}, expected ${query.expected}`);
    const ratio = median(times.influx) / median(times.fluxgate);
    console.log(`    speed fluxgate ÷ InfluxDB = ${fmt(ratio, 1)}×  (target ≥ ${query.floor})`);
    record(`query ${query.name}: ${unit} (both)`, fmt(fc[0]!));
    record(`query ${query.name}: fluxgate ms`, fmt(median(times.fluxgate) * 1000, 1));
    record(`query ${query.name}: InfluxDB ms`, fmt(median(times.influx) * 1000, 1));
    record(`query ${query.name}: speed ratio`, `${fmt(ratio, 1)}×`, `≥ ${query.floor}×`, ratio >= query.floor);
  }

  // Where the bucket query's time goes: the same aggregation with one summary row sent back. Every
  // output column is folded in, or DuckDB would drop avg and max from the plan and flatter the figure.
  const AGGREGATION_ONLY_SQL = `SELECT count(*), max(t), max(host), sum("avg(usage_user)"), sum("max(usage_user)") FROM (${BUCKETS_SQL})`;
  const inner: number[] = [];
  for (let run = 0; run < QUERY_RUNS; run++)
    inner.push((await timed(async () => (await fluxgateSql(fluxgate!, token, AGGREGATION_ONLY_SQL)).length)).seconds);
  console.log(
    `  (diagnostic: the bucket aggregation alone, folded into one row, takes ${fmt(median(inner) * 1000, 1)} ms in fluxgate; ` +
      'the rest of the bucket query is building, sending and parsing its rows as JSON)',
  );
  record('diagnostic: fluxgate bucket aggregation, no rows out, ms', fmt(median(inner) * 1000, 1));

  // After the rewrites, InfluxDB keeps one point per series and time (the last write winning field
  // by field): the counts agree only when fluxgate does the same.
  const rewriteCounts = {
    fluxgate: Number(
      Object.values(
        ((await fluxgateSql(fluxgate, token, COUNT_SQL, 'rewrites')) as Array<Record<string, unknown>>)[0] ?? {},
      )[0],
    ),
    influx: Number((await influxQl(influx, 'SELECT count(usage_user) FROM cpu', 'rewrites'))[0]?.values?.[0]?.[1]),
  };
  const rewritesAgree = rewriteCounts.fluxgate === rewriteCounts.influx;
  console.log(
    `  count after the rewrites: fluxgate ${fmt(rewriteCounts.fluxgate)}, InfluxDB ${fmt(rewriteCounts.influx)}` +
      (rewritesAgree
        ? ' (one point per series and time in both)'
        : ' (they differ: fluxgate keeps rewritten points twice)'),
  );
  record('rewrites: count, fluxgate', fmt(rewriteCounts.fluxgate), 'InfluxDB’s', rewritesAgree);
  record('rewrites: count, InfluxDB', fmt(rewriteCounts.influx));

  // Write-then-query latency, alternating the systems in blocks of ten rounds.
  console.log(`\n  write-then-query latency: ${PROBES} rounds of one point written, then a count that must include it`);
  const probeAgents = { write: keepAliveAgent(1), query: keepAliveAgent(1) };
  const probeTime = (sequence: number) => `${START_SECONDS}${String(sequence).padStart(9, '0')}`;
  const probeLine = (sequence: number) => Buffer.from(`probe,client=bench v=${sequence}i ${probeTime(sequence)}\n`);
  const fluxgateProbe: ProbeSystem = {
    write: async (sequence) => {
      const reply = await request(
        probeAgents.write,
        fluxgateMetrics.url,
        'POST',
        fluxgateMetrics.headers,
        probeLine(sequence),
      );
      if (reply.status !== 204) throw new Error(`fluxgate probe write: ${reply.status} ${reply.body.toString()}`);
    },
    count: async () => {
      const url = new URL('/api/v3/query_sql', fluxgate!.url);
      url.search = new URLSearchParams({ db: 'metrics', q: 'SELECT count(v) FROM probe', format: 'json' }).toString();
      const reply = await request(probeAgents.query, url, 'GET', { authorization: `Bearer ${token}` });
      if (reply.status !== 200) throw new Error(`fluxgate probe count: ${reply.status} ${reply.body.toString()}`);
      const rows = JSON.parse(reply.body.toString()) as Array<Record<string, unknown>>;
      return Number(Object.values(rows[0] ?? {})[0]);
    },
  };
  const influxProbe: ProbeSystem = {
    write: async (sequence) => {
      const reply = await request(
        probeAgents.write,
        influxMetrics.url,
        'POST',
        influxMetrics.headers,
        probeLine(sequence),
      );
      if (reply.status !== 204) throw new Error(`InfluxDB probe write: ${reply.status} ${reply.body.toString()}`);
    },
    count: async () => {
      const url = new URL('/query', influx!.url);
      url.search = new URLSearchParams({ db: 'metrics', q: 'SELECT count(v) FROM probe' }).toString();
      const reply = await request(probeAgents.query, url, 'GET', {
        authorization: basicAuth(ADMIN.user, ADMIN.password),
      });
      if (reply.status !== 200) throw new Error(`InfluxDB probe count: ${reply.status} ${reply.body.toString()}`);
      const body = JSON.parse(reply.body.toString()) as { results: Array<{ series?: InfluxSeries[] }> };
      return Number(body.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
    },
  };
  const probes = {
    fluxgate: { queryMs: [] as number[], roundMs: [] as number[], misses: 0 },
    influx: { queryMs: [] as number[], roundMs: [] as number[], misses: 0 },
  };
  try {
    for (let block = 0; block * 10 < PROBES; block++) {
      const rounds = Math.min(10, PROBES - block * 10);
      const order = block % 2 === 0 ? (['fluxgate', 'influx'] as const) : (['influx', 'fluxgate'] as const);
      for (const system of order) {
        const result = await probeLatency(system === 'fluxgate' ? fluxgateProbe : influxProbe, rounds, block * 10);
        probes[system].queryMs.push(...result.queryMs);
        probes[system].roundMs.push(...result.roundMs);
        probes[system].misses += result.misses;
      }
    }
  } finally {
    probeAgents.write.destroy();
    probeAgents.query.destroy();
  }
  for (const [system, name] of [
    ['fluxgate', 'fluxgate'],
    ['influx', 'InfluxDB'],
  ] as const) {
    const p = probes[system];
    const [q50, q99, r50, r99] = [
      percentile(p.queryMs, 50),
      percentile(p.queryMs, 99),
      percentile(p.roundMs, 50),
      percentile(p.roundMs, 99),
    ];
    console.log(
      `  ${name}: count right after the write p50 ${fmt(q50, 2)} ms, p99 ${fmt(q99, 2)} ms; ` +
        `write + count p50 ${fmt(r50, 2)} ms, p99 ${fmt(r99, 2)} ms; counts missing the point: ${p.misses}`,
    );
    record(`write-then-query, ${name}: count p50 / p99 ms`, `${fmt(q50, 2)} / ${fmt(q99, 2)}`);
    record(`write-then-query, ${name}: write + count p50 / p99 ms`, `${fmt(r50, 2)} / ${fmt(r99, 2)}`);
    record(`write-then-query, ${name}: counts missing the point`, fmt(p.misses), '0', p.misses === 0);
  }

  const influxBytesAfterQueries =
    diskUsage(`${influx.root}/data/metrics`).allocated + diskUsage(`${influx.root}/wal/metrics`).allocated;
  // InfluxDB is done: stop it so its background compactions do not steal the CPU from step 2.
  await influx.stop();

  // ---- 2. cost of authentication, interleaved: each run's points go in chunks, ABBA between the servers
  const chunkPoints = AUTH_CHUNKS * BATCH_LINES;
  let authPoints = AUTH_POINTS;
  const twoConnectionRate = ingestRates.find((r) => r.connections === 2)?.fluxgate ?? 0;
  const secondsLeft = BUDGET_SECONDS - (performance.now() - benchStarted) / 1000 - 15;
  const projected = (2 * AUTH_RUNS * authPoints) / twoConnectionRate;
  if (twoConnectionRate > 0 && projected > secondsLeft) {
    const affordable = Math.floor((secondsLeft * twoConnectionRate) / (2 * AUTH_RUNS) / chunkPoints) * chunkPoints;
    authPoints = Math.min(AUTH_POINTS, Math.max(10 * chunkPoints, affordable));
    console.log(
      `\n(step 2 at ${fmt(AUTH_POINTS)} points per run would take ~${fmt(projected)} s at the rate of step 1; ` +
        `${fmt(authPoints)} points per run keep the whole run within ${BUDGET_SECONDS} s: see BENCH_BUDGET_SECONDS)`,
    );
  }
  console.log(
    `\n2. cost of authentication: ${fmt(authPoints)} points over 2 connections per run, ${AUTH_RUNS} runs, ` +
      `each in ${AUTH_CHUNKS} chunks alternating ABBA between the servers`,
  );
  const authBatches = batches.slice(0, authPoints / BATCH_LINES);
  const chunkBatches = authBatches.length / AUTH_CHUNKS;
  const authRates: number[] = [];
  const openRates: number[] = [];
  for (let run = 0; run < AUTH_RUNS; run++) {
    const withToken = fluxgateTarget('fluxgate', fluxgate, fluxgatePid, authDbs[run]!, authCostToken);
    const without = fluxgateTarget('fluxgate without auth', noAuth, noAuthPid, authDbs[run]!);
    const [first, second] = run % 2 === 0 ? [withToken, without] : [without, withToken];
    const seconds = new Map([
      [withToken, 0],
      [without, 0],
    ]);
    for (let chunk = 0; chunk < AUTH_CHUNKS; chunk++) {
      const part = authBatches.slice(chunk * chunkBatches, (chunk + 1) * chunkBatches);
      for (const target of chunk % 2 === 0 ? [first, second] : [second, first])
        seconds.set(target, seconds.get(target)! + (await ingest(target, part, 2)));
    }
    authRates.push(authPoints / seconds.get(withToken)!);
    openRates.push(authPoints / seconds.get(without)!);
    console.log(
      `  run ${run + 1}: token ${fmt(authRates.at(-1)!)} points/s, without auth ${fmt(openRates.at(-1)!)} points/s ` +
        `(slowdown ${fmt((openRates.at(-1)! / authRates.at(-1)! - 1) * 100, 1)} %)`,
    );
  }
  const authRate = median(authRates);
  const openRate = median(openRates);
  const slowdown = (openRate / authRate - 1) * 100;
  console.log(
    `  median: token ${fmt(authRate)} points/s, without auth ${fmt(openRate)} points/s, ` +
      `slowdown ${fmt(slowdown, 1)} %  (target ≤ 3 %)`,
  );
  record('auth cost: fluxgate with token points/s', fmt(authRate));
  record('auth cost: fluxgate without auth points/s', fmt(openRate));
  record('auth cost: slowdown (time with ÷ without − 1)', `${fmt(slowdown, 1)} %`, '≤ 3 %', slowdown <= 3);

  const hwmOverall = memoryStatus(fluxgatePid).hwm;

  // After a clean stop DuckDB has checkpointed: the file is what stays on disk.
  const stoppedMetricsFile = await (async () => {
    const listing = await call<Array<{ 'iox::database': string; id: number }>>(
      fluxgate.url,
      'GET',
      '/api/v3/configure/database?format=json',
      { token: operator },
    );
    const id = listing.body.find((d) => d['iox::database'] === 'metrics')?.id;
    await fluxgate.stop();
    childPids.splice(childPids.indexOf(fluxgatePid), 1);
    return databaseBytes(`${fluxgate.dataDir}/dbs/${id}.duckdb`);
  })();

  console.log('\n4. memory and disk');
  console.log(
    `  fluxgate peak RSS: ${mib(hwmAfterIngest)} during step 1 (VmHWM; sampled max ${mib(sampled.peaks[0]!)}), ` +
      `${mib(hwmOverall)} by the end  (target ≤ 1 GB); InfluxDB ${mib(influxHwm)}`,
  );
  const perPoint = fluxgateBytes / totalPoints;
  console.log(
    `  bytes per point: fluxgate ${fmt(perPoint, 1)} after ingest (${mib(fluxgateBytes)}), ` +
      `${fmt(stoppedMetricsFile / totalPoints, 1)} after a clean stop; InfluxDB ${fmt(influxBytesAfterIngest / totalPoints, 1)} ` +
      `after ingest, ${fmt(influxBytesAfterQueries / totalPoints, 1)} after the queries`,
  );
  record('fluxgate peak RSS during ingest (VmHWM)', mib(hwmAfterIngest), '≤ 1 GB', hwmAfterIngest <= 2 ** 30);
  record('fluxgate peak RSS incl. step 2 (VmHWM)', mib(hwmOverall));
  record('InfluxDB peak RSS (VmHWM)', mib(influxHwm));
  record('fluxgate bytes/point after ingest', fmt(perPoint, 1));
  record('fluxgate bytes/point after clean stop', fmt(stoppedMetricsFile / totalPoints, 1));
  record('InfluxDB bytes/point after ingest', fmt(influxBytesAfterIngest / totalPoints, 1));
  record('InfluxDB bytes/point after queries', fmt(influxBytesAfterQueries / totalPoints, 1));

  printTable();
} catch (error) {
  console.error('\nbenchmark failed:', error);
  if (influx) console.error(`influxd output (tail):\n${influx.output().slice(-3000)}`);
  for (const server of [fluxgate, noAuth])
    if (server) console.error(`fluxgate output (tail):\n${server.output().slice(-3000)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  console.log(`\nwhole run: ${fmt((performance.now() - benchStarted) / 1000, 1)} s`);
}
