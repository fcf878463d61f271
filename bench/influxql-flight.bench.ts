// The read paths real clients use, side by side with InfluxDB 1.x (Debian's influxdb, installed with apt
// when missing), both on loopback with authentication on, holding the same points:
//   1. InfluxQL through `/query` on both servers: a count over everything and a per-host 1-minute
//      mean/max, median of 3 runs each, alternating which server goes first (targets ≥ 10× and ≥ 5×);
//   2. Arrow Flight: 1M rows streamed to the official client (`@influxdata/influxdb3-client` query()),
//      printed beside the same SQL answered as JSON over HTTP.
// Knobs: BENCH_INFLUXQL_POINTS (default 3,000,000), BENCH_FLIGHT_ROWS (default 1,000,000).
import { performance } from 'node:perf_hooks';
import { InfluxDBClient } from '@influxdata/influxdb3-client';
import { bootstrap, call } from '../test/helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process.ts';
import { type InfluxPeer, startInfluxPeer } from './peer/influxdb.ts';
import { basicAuth, keepAliveAgent, request } from './peer/keep-alive-http.ts';
import { FigureTable, fmt, median } from './peer/report.ts';

const SERIES = 100;
const BATCH_LINES = 5_000;
const POINTS = Number(process.env.BENCH_INFLUXQL_POINTS ?? 3_000_000);
const FLIGHT_ROWS = Number(process.env.BENCH_FLIGHT_ROWS ?? 1_000_000);
const RUNS = 3;
const START_SECONDS = Date.UTC(2024, 0, 1) / 1000;
const ADMIN = { user: 'admin', password: 'x' };

if (POINTS % BATCH_LINES !== 0) throw new Error(`BENCH_INFLUXQL_POINTS must be a multiple of ${BATCH_LINES}`);
if (FLIGHT_ROWS > POINTS) throw new Error('BENCH_FLIGHT_ROWS must not exceed BENCH_INFLUXQL_POINTS');

/** Batch `b` holds seconds [b·50, b·50+50) of all series; values are a deterministic function of the point. */
function batch(b: number): Buffer {
  const steps = BATCH_LINES / SERIES;
  let text = '';
  for (let step = 0; step < steps; step++) {
    const second = START_SECONDS + b * steps + step;
    for (let h = 0; h < SERIES; h++) {
      const n = second * SERIES + h;
      text += `cpu,host=host${h},region=${h % 2 === 0 ? 'us' : 'eu'} usage_user=${(n % 6007) / 100},usage_idle=${(n % 89) / 3},count=${n % 1000}i ${second}000000000\n`;
    }
  }
  return Buffer.from(text, 'latin1');
}

async function writeAll(url: URL, authorization: string): Promise<number> {
  const agent = keepAliveAgent(2);
  let next = 0;
  const batches = POINTS / BATCH_LINES;
  const started = performance.now();
  try {
    await Promise.all(
      [0, 1].map(async () => {
        while (next < batches) {
          const reply = await request(
            agent,
            url,
            'POST',
            { authorization, 'content-type': 'text/plain' },
            batch(next++),
          );
          if (reply.status !== 204) throw new Error(`write to ${url.host}: ${reply.status} ${reply.body.toString()}`);
        }
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    agent.destroy();
  }
}

interface Series {
  tags?: Record<string, string>;
  values?: unknown[][];
}

/** One InfluxQL statement through `/query`; answers the series and the seconds taken. */
async function influxQl(
  base: string,
  authorization: string,
  q: string,
): Promise<{ series: Series[]; seconds: number }> {
  const url = new URL('/query', base);
  url.search = new URLSearchParams({ db: 'metrics', q, epoch: 'ns' }).toString();
  const agent = keepAliveAgent(1);
  try {
    const started = performance.now();
    const reply = await request(agent, url, 'GET', { authorization });
    const text = reply.body.toString();
    const seconds = (performance.now() - started) / 1000;
    if (reply.status !== 200) throw new Error(`/query on ${url.host}: ${reply.status} ${text.slice(0, 300)}`);
    const result = (JSON.parse(text) as { results: Array<{ error?: string; series?: Series[] }> }).results[0];
    if (result?.error !== undefined) throw new Error(`/query on ${url.host}: ${result.error}`);
    return { series: result?.series ?? [], seconds };
  } finally {
    agent.destroy();
  }
}

const figures = new FigureTable();
let fluxgate: ServerProcess | undefined;
let influx: InfluxPeer | undefined;
process.once('exit', () => influx?.killNow());

try {
  const started = await Promise.allSettled([
    startServerProcess({ args: ['--log-level', 'warn'] }).then((s) => (fluxgate = s)),
    startInfluxPeer().then((p) => (influx = p)),
  ]);
  for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
  if (!fluxgate || !influx) throw new Error('a server did not start');
  console.log(`peer: ${influx.version}; ${fmt(POINTS)} points, ${SERIES} series, one point per series per second`);

  const operator = await bootstrap(fluxgate.url);
  const created = await call(fluxgate.url, 'POST', '/api/v3/configure/database', {
    token: operator,
    json: { db: 'metrics' },
  });
  if (created.status !== 201) throw new Error(`create database: ${created.status} ${created.text}`);
  const issued = await call<{ token: string }>(fluxgate.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: operator,
    json: {
      token_name: 'bench-reader',
      permissions: [{ resource_type: 'db', resource_names: ['metrics'], actions: ['read', 'write'] }],
    },
  });
  if (issued.status !== 201) throw new Error(`create token: ${issued.status} ${issued.text}`);
  const token = issued.body.token;
  await influx.query(`CREATE USER ${ADMIN.user} WITH PASSWORD '${ADMIN.password}' WITH ALL PRIVILEGES`);
  await influx.query('CREATE DATABASE metrics', ADMIN);

  const fluxgateAuth = `Bearer ${token}`;
  const influxAuth = basicAuth(ADMIN.user, ADMIN.password);
  const fluxgateWrite = await writeAll(new URL('/api/v3/write_lp?db=metrics&precision=ns', fluxgate.url), fluxgateAuth);
  const influxWrite = await writeAll(new URL('/write?db=metrics&precision=ns', influx.url), influxAuth);
  console.log(`loaded in ${fmt(fluxgateWrite, 1)} s (fluxgate) and ${fmt(influxWrite, 1)} s (InfluxDB)`);

  // ---- 1. InfluxQL through /query on both servers
  const first = new Date(START_SECONDS * 1000).toISOString();
  const last = new Date((START_SECONDS + POINTS / SERIES) * 1000).toISOString();
  const queries = [
    {
      name: 'count',
      q: 'SELECT count(usage_user) FROM cpu',
      answer: (series: Series[]) => Number(series[0]?.values?.[0]?.[1]),
      expected: POINTS,
      target: 10,
    },
    {
      name: '1-minute mean/max per host',
      q: `SELECT mean(usage_user), max(usage_user) FROM cpu WHERE time >= '${first}' AND time < '${last}' GROUP BY time(1m), host fill(none)`,
      answer: (series: Series[]) => series.reduce((sum, s) => sum + (s.values?.length ?? 0), 0),
      expected: SERIES * Math.ceil(POINTS / SERIES / 60),
      target: 5,
    },
  ];
  console.log(`\n1. InfluxQL through /query, median of ${RUNS} runs (alternating which server goes first)`);
  for (const query of queries) {
    const times = { fluxgate: [] as number[], influx: [] as number[] };
    const answers = { fluxgate: [] as number[], influx: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? (['fluxgate', 'influx'] as const) : (['influx', 'fluxgate'] as const);
      for (const system of order) {
        const base = system === 'fluxgate' ? fluxgate.url : influx.url;
        const { series, seconds } = await influxQl(base, system === 'fluxgate' ? fluxgateAuth : influxAuth, query.q);
        times[system].push(seconds);
        answers[system].push(query.answer(series));
      }
    }
    if (answers.fluxgate.some((n) => n !== query.expected) || answers.influx.some((n) => n !== query.expected))
      throw new Error(
        `${query.name}: expected ${query.expected}, fluxgate answered ${answers.fluxgate}, InfluxDB ${answers.influx}`,
      );
    const ratio = median(times.influx) / median(times.fluxgate);
    console.log(
      `  ${query.name}: fluxgate ${fmt(median(times.fluxgate) * 1000, 1)} ms, InfluxDB ${fmt(median(times.influx) * 1000, 1)} ms ` +
        `(${fmt(query.expected)} ${query.name === 'count' ? 'counted' : 'groups'} by both); fluxgate ${fmt(ratio, 1)}× faster (target ≥ ${query.target}×)`,
    );
    figures.record(`/query ${query.name}: fluxgate ms`, fmt(median(times.fluxgate) * 1000, 1));
    figures.record(`/query ${query.name}: InfluxDB ms`, fmt(median(times.influx) * 1000, 1));
    figures.record(
      `/query ${query.name}: speed ratio`,
      `${fmt(ratio, 1)}×`,
      `≥ ${query.target}×`,
      ratio >= query.target,
    );
  }

  // ---- 2. Flight to the official client, beside JSON over HTTP
  const sql = `SELECT time, host, usage_user FROM cpu ORDER BY time, host LIMIT ${FLIGHT_ROWS}`;
  console.log(
    `\n2. ${fmt(FLIGHT_ROWS)} rows: Arrow Flight (official client) and JSON over HTTP, median of ${RUNS} runs`,
  );
  const client = new InfluxDBClient({ host: fluxgate.url, token, database: 'metrics' });
  const flight: number[] = [];
  const json: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      let rows = 0;
      let t0 = performance.now();
      for await (const _row of client.query(sql, 'metrics')) rows++;
      flight.push((performance.now() - t0) / 1000);
      if (rows !== FLIGHT_ROWS) throw new Error(`Flight answered ${rows} rows, not ${FLIGHT_ROWS}`);

      const url = new URL('/api/v3/query_sql', fluxgate.url);
      url.search = new URLSearchParams({ db: 'metrics', q: sql, format: 'json' }).toString();
      const agent = keepAliveAgent(1);
      t0 = performance.now();
      const reply = await request(agent, url, 'GET', { authorization: fluxgateAuth });
      const parsed = JSON.parse(reply.body.toString()) as unknown[];
      json.push((performance.now() - t0) / 1000);
      agent.destroy();
      if (parsed.length !== FLIGHT_ROWS) throw new Error(`JSON answered ${parsed.length} rows, not ${FLIGHT_ROWS}`);
    }
  } finally {
    await client.close();
  }
  const flightRate = FLIGHT_ROWS / median(flight);
  const jsonRate = FLIGHT_ROWS / median(json);
  console.log(
    `  Flight ${fmt(flightRate)} rows/s (${fmt(median(flight), 2)} s), JSON ${fmt(jsonRate)} rows/s (${fmt(median(json), 2)} s); ` +
      `Flight ÷ JSON = ${fmt(flightRate / jsonRate, 2)}`,
  );
  figures.record('Flight rows/s to the official client', fmt(flightRate));
  figures.record('same query as JSON over HTTP, rows/s', fmt(jsonRate));
  figures.record('Flight ÷ JSON', fmt(flightRate / jsonRate, 2));
  figures.print();
} finally {
  await Promise.allSettled([fluxgate?.dispose(), influx?.dispose()]);
}
