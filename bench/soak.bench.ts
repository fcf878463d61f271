// A bounded soak of one real server: line-protocol writers, ordinary and hostile SQL queries, token
// churn (create, use, revoke), guessers from many loopback addresses, slow clients that trickle header
// lines and idle keep-alive connections, all at once for SOAK_SECONDS. Prints the requests served,
// the answers by kind, peak RSS, descriptors and threads at the end, /health latency seen by a client
// in a process of its own (bench/peer/health-probe.mjs: p50, p99, max, and how many probes took over
// the 50 ms target, with how long that client itself waited for a CPU), and the event-loop delay measured
// inside the server (bench/peer/loop-watch.mjs): how late its loop came back, and how much of that the
// server caused itself, that is without the time its main thread waited for a CPU other processes held
// (on a shared 2-core machine that wait is most of the client-side figure). The target is judged on the
// latter, less the time the hypervisor took from the main thread's CPU (steal: on a VM the guest
// cannot run then, whatever it does); the slowest interval is broken down (the main thread on a
// CPU, waiting for one, steal, major page faults), so a stall off the CPU shows as such. Errors by
// kind are the answers other than each kind's expected ones (EXPECTED), with the first body of each.
// SOAK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" passes flags to the server's node;
// SOAK_KEEP_LOOP=FILE keeps the loop samples (monotonic µs, the clock of --cpu-prof and of
// `perf record -k CLOCK_MONOTONIC`) to lay a stall beside what ran; SOAK_SERVER_OUTPUT=FILE keeps
// the server's output (with --trace-gc, its GC pauses); SOAK_SKIP leaves parts of the load out.
// The load generator (this process) runs at nice 19 once the server and the prober have started, and
// the prober at nice -10 (when allowed), as if both were on other machines: on two shared cores a
// generator at the server's priority takes the CPU the server needs to answer, and a prober at it
// waits for a CPU itself (SOAK_LOAD_NICE=0 keeps the generator at the server's priority).

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken } from '../src/domain/token-format.ts';
import { bootstrap } from '../test/helpers/http.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const HEALTH_TARGET_MS = 50;
const PROBER_NICE = -10;
const watchDir = mkdtempSync(join(tmpdir(), 'fluxgate-soak-'));
const watchFile = join(watchDir, 'loop.jsonl');
const server = await startServerProcess({
  nodeArgs: [
    '--import',
    new URL('./peer/loop-watch.mjs', import.meta.url).pathname,
    ...(process.env.SOAK_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  ],
  env: { LOOP_WATCH_FILE: watchFile },
  args: ['--log-level', 'warn', '--query-timeout', '2s', '--http-header-timeout', '3s', '--auth-failure-limit', '20'],
});
const agent = keepAliveAgent(32);
const counts = new Map<string, number>();
const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
/**
 * The answers each kind of request is meant to get; any other status, and any transport error, is
 * an error of that kind. Hostile queries are meant to be refused (400/403) or cut off (408/413), the
 * recursive one to time out; guessers to be refused and then throttled; revoked tokens refused.
 */
const EXPECTED: Record<string, readonly number[]> = {
  setup: [200, 201, 204],
  write: [204],
  query: [200],
  'hostile query': [200, 400, 403, 408, 413],
  'token create': [201],
  'token use': [200],
  'token revoke': [200],
  'revoked use': [401],
  guess: [401, 429],
  health: [200],
  final: [200],
};
/** The first body of each unexpected answer, to say what the error was. */
const firstError = new Map<string, string>();
const deadline = Date.now() + SECONDS * 1000;
const running = () => Date.now() < deadline;
/** SOAK_SKIP=hostile,churn,… leaves parts of the load out, to see which one costs /health its latency. */
const skipped = new Set((process.env.SOAK_SKIP ?? '').split(','));
const part = (name: string, work: () => Promise<void>) => (skipped.has(name) ? Promise.resolve() : work());

function status(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

async function send(kind: string, method: string, path: string, token?: string, body?: string, type?: string) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (type !== undefined) headers['content-type'] = type;
  try {
    const reply = await request(agent, new URL(path, server.url), method, headers, body);
    count(`${kind} ${reply.status}`);
    if (!(EXPECTED[kind] ?? []).includes(reply.status) && !firstError.has(`${kind} ${reply.status}`)) {
      firstError.set(`${kind} ${reply.status}`, reply.body.toString().slice(0, 160));
    }
    return reply;
  } catch (error) {
    count(`${kind} ${(error as NodeJS.ErrnoException).code ?? 'transport error'}`);
    return undefined;
  }
}

/**
 * A /health prober in its own process, asking every 100 ms until stop(); the answers come back as
 * [latency ms, status, ms the prober's own thread waited for a CPU during that probe].
 */
function startHealthProbe(url: string, token: string) {
  const child = spawn(process.execPath, [new URL('./peer/health-probe.mjs', import.meta.url).pathname, url, '100'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, PROBE_TOKEN: token },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A health checker on another machine does not wait for this machine's CPUs: where the bench may
  // (root), the prober runs ahead of everything else here, so its figure is the server's answer.
  let nice = 0;
  try {
    // A pid of 0 would raise this process instead: only a prober that started is raised.
    if (child.pid !== undefined) {
      setPriority(child.pid, PROBER_NICE);
      nice = PROBER_NICE;
    }
  } catch {
    // not allowed to raise a priority: the prober stays at nice 0, and the output says so
  }
  return {
    nice,
    async stop(): Promise<Array<[number, number, number]>> {
      child.stdin.end();
      await exited;
      return output
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as [number, number, number]);
    },
  };
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} ms`;
}

/** The interval of the loop watcher's ticks (bench/peer/loop-watch.mjs). */
const LOOP_TICK_MS = 5;
/** One tick of the loop watcher: [monotonic µs, delay ms, CPU-wait ms, on-CPU ms, steal ms on its CPU, major faults]. */
type LoopSample = [at: number, delay: number, cpuWait: number, onCpu: number, steal: number, faults: number];

/**
 * The server's loop samples taken while the load ran: how late; how late without the CPU wait; and
 * without the hypervisor's steal on the main thread's CPU as well (a VM's host running something else).
 */
function loopDelay(fromUs: number, toUs: number) {
  const samples = readFileSync(watchFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoopSample)
    .filter(([at]) => at >= fromUs && at <= toUs);
  const ownOf = ([, delay, cpuWait]: LoopSample) => Math.max(0, delay - cpuWait);
  const unstolenOf = (sample: LoopSample) => Math.max(0, ownOf(sample) - sample[4]);
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const worst = samples.reduce<LoopSample | undefined>(
    (slowest, sample) => (slowest === undefined || ownOf(sample) > ownOf(slowest) ? sample : slowest),
    undefined,
  );
  return {
    count: samples.length,
    late: sorted(samples.map(([, delay]) => Math.max(0, delay))),
    own: sorted(samples.map(ownOf)),
    unstolen: sorted(samples.map(unstolenOf)),
    cpuWaitMs: samples.reduce((sum, [, , cpuWait]) => sum + cpuWait, 0),
    stealMs: samples.reduce((sum, [, , , , steal]) => sum + steal, 0),
    worst,
  };
}

try {
  const operator = await bootstrap(server.url);
  await send(
    'setup',
    'POST',
    '/api/v3/configure/database',
    operator,
    JSON.stringify({ db: 'soak' }),
    'application/json',
  );
  const writer = await send(
    'setup',
    'POST',
    '/api/v3/enterprise/configure/token',
    operator,
    JSON.stringify({
      token_name: 'writer',
      permissions: [{ resource_type: 'db', resource_names: ['soak'], actions: ['read', 'write'] }],
    }),
    'application/json',
  );
  const token = (JSON.parse(writer?.body.toString() ?? '{}') as { token: string }).token;
  // One write applied before the load starts, so the ordinary queries have a table to read from
  // their first run (otherwise the first ones meet "table 'cpu' does not exist", an error of the
  // bench, not of the server). Bounded: at most 10 s.
  await send(
    'setup',
    'POST',
    '/api/v3/write_lp?db=soak',
    token,
    `cpu,host=h0,core=c0 usage=0,idle=0i ${Date.now() * 1e6}`,
  );
  for (const until = Date.now() + 10_000; Date.now() < until; ) {
    const probe = await request(
      agent,
      new URL(`/api/v3/query_sql?db=soak&q=${encodeURIComponent('select count(*) from cpu')}`, server.url),
      'GET',
      { authorization: `Bearer ${token}` },
    );
    if (probe.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = server.pid ?? 0;
  const prober = startHealthProbe(server.url, operator);
  const loadNice = Number(process.env.SOAK_LOAD_NICE ?? 19);
  setPriority(loadNice);
  const loadStartedUs = Number(process.hrtime.bigint() / 1000n);

  const writers = Array.from({ length: 3 }, (_, w) =>
    part('writes', async () => {
      while (running()) {
        const lines = Array.from(
          { length: 500 },
          (_, i) => `cpu,host=h${w},core=c${i % 8} usage=${Math.random()},idle=${i}i ${Date.now() * 1e6 + i}`,
        ).join('\n');
        await send('write', 'POST', '/api/v3/write_lp?db=soak', token, lines);
      }
    }),
  );
  const queries = Array.from({ length: 2 }, () =>
    part('queries', async () => {
      while (running()) {
        await send(
          'query',
          'GET',
          `/api/v3/query_sql?db=soak&q=${encodeURIComponent('select host, count(*), avg(usage) from cpu group by host')}`,
          token,
        );
      }
    }),
  );
  const HOSTILE = [
    'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r',
    "select * from read_csv('/etc/passwd')",
    "attach '/tmp/x.db' as x",
    'select * from duckdb_settings()',
    'select a.x from (values (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) a(x), (values (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) b(x), (values (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) c(x), (values (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) d(x)',
    'select from where',
  ];
  const hostile = part('hostile', async () => {
    for (let i = 0; running(); i++) {
      await send(
        'hostile query',
        'GET',
        `/api/v3/query_sql?db=soak&q=${encodeURIComponent(HOSTILE[i % HOSTILE.length]!)}`,
        token,
      );
    }
  });
  const churn = part('churn', async () => {
    for (let i = 0; running(); i++) {
      const created = await send(
        'token create',
        'POST',
        '/api/v3/enterprise/configure/token',
        operator,
        JSON.stringify({
          token_name: `churn-${i}`,
          permissions: [{ resource_type: 'db', resource_names: ['soak'], actions: ['read'] }],
        }),
        'application/json',
      );
      const secret = (JSON.parse(created?.body.toString() ?? '{}') as { token?: string }).token;
      if (secret !== undefined) await send('token use', 'GET', '/ping', secret);
      await send('token revoke', 'DELETE', `/api/v3/configure/token?token_name=churn-${i}`, operator);
      if (secret !== undefined) await send('revoked use', 'GET', '/ping', secret);
    }
  });
  const guessers = part('guessers', async () => {
    while (running()) {
      await send('guess', 'GET', '/api/v3/configure/token', generateToken('admin'));
    }
  });
  const slow: Socket[] = [];
  const slowClients = part('slowClients', async () => {
    while (running()) {
      if (slow.filter((s) => !s.destroyed).length < 100) {
        const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => count('slow client closed by server'));
        socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        const trickle = setInterval(
          () => (socket.destroyed ? clearInterval(trickle) : socket.write('X-Slow: 1\r\n')),
          1000,
        );
        slow.push(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  // Threads and descriptors at their highest while the load runs, besides their count at the end.
  let peakThreads = 0;
  let peakFds = 0;
  const sampler = (async () => {
    while (running()) {
      peakThreads = Math.max(peakThreads, status(pid, 'Threads'));
      peakFds = Math.max(peakFds, readdirSync(`/proc/${pid}/fd`).length);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  await Promise.all([...writers, ...queries, hostile, churn, guessers, slowClients, sampler]);
  const loadEndedUs = Number(process.hrtime.bigint() / 1000n);
  const probes = await prober.stop();
  for (const [, answer] of probes) count(`health ${answer === 0 ? 'transport error' : answer}`);
  const health = probes.map(([latency]) => latency).sort((a, b) => a - b);
  const proberWaitedMs = probes.reduce((sum, [, , waited]) => sum + waited, 0);
  const slowestProbe = probes.reduce((most, p) => (p[0] > most[0] ? p : most), [0, 0, 0]);
  for (const socket of slow) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 500));

  const served = [...counts].filter(([k]) => !/closed by server|E[A-Z]+$/.test(k)).reduce((sum, [, n]) => sum + n, 0);
  const peakRssMb = status(pid, 'VmHWM') / 1024;
  const rssMb = status(pid, 'VmRSS') / 1024;
  const threads = status(pid, 'Threads');
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  console.log(`soak: ${SECONDS} s against one server (SQLite catalog, --query-timeout 2s, --http-header-timeout 3s)`);
  console.log(`requests served: ${served} (${(served / SECONDS).toFixed(0)}/s)`);
  console.log('answers by kind:');
  for (const [kind, n] of [...counts].sort()) console.log(`  ${kind}: ${n}`);
  const errors = [...counts].filter(([key]) => {
    if (key === 'slow client closed by server') return false;
    const at = key.lastIndexOf(' ');
    return !(EXPECTED[key.slice(0, at)] ?? []).includes(Number(key.slice(at + 1)));
  });
  const errorCount = errors.reduce((sum, [, n]) => sum + n, 0);
  console.log(`errors by kind (answers other than each kind's expected ones, transport errors): ${errorCount}`);
  for (const [key, n] of errors.sort()) {
    const body = firstError.get(key);
    console.log(`  ${key}: ${n}${body === undefined ? '' : ` (first: ${body.replace(/\s+/g, ' ')})`}`);
  }
  console.log(
    `peak RSS ${peakRssMb.toFixed(0)} MB, RSS at the end ${rssMb.toFixed(0)} MB; threads at most ${peakThreads}, ${threads} at the end; open descriptors at most ${peakFds}, ${fds} at the end`,
  );
  const over = health.filter((h) => h > HEALTH_TARGET_MS).length;
  console.log(
    `/health from a client: ${health.length} probes, p50 ${ms(percentile(health, 0.5))}, p99 ${ms(percentile(health, 0.99))}, max ${ms(health.at(-1))}, over ${HEALTH_TARGET_MS} ms: ${over} (target: none over ${HEALTH_TARGET_MS} ms)`,
  );
  console.log(
    `  the prober's own thread waited ${proberWaitedMs.toFixed(0)} ms for a CPU in all its probes, ${slowestProbe[2].toFixed(1)} ms of them in the slowest; the prober ran at nice ${prober.nice}, the load generator at nice ${loadNice}`,
  );
  console.log(
    `server still running: ${server.output().includes('fluxgate listening') && (await send('final', 'GET', '/ping', operator))?.status === 200}`,
  );
  // The loop samples are written when the server exits.
  agent.destroy();
  await server.stop();
  const loop = loopDelay(loadStartedUs, loadEndedUs);
  console.log(
    `event loop inside the server, ${loop.count} samples: late by p50 ${ms(percentile(loop.late, 0.5))}, p99 ${ms(percentile(loop.late, 0.99))}, max ${ms(loop.late.at(-1))}; its main thread waited ${(loop.cpuWaitMs / 1000).toFixed(1)} s of ${SECONDS} s for a CPU`,
  );
  const overTarget = (values: number[]) => values.filter((d) => d > HEALTH_TARGET_MS).length;
  console.log(
    `event loop held up by the server itself (late minus CPU wait): p99 ${ms(percentile(loop.own, 0.99))}, max ${ms(loop.own.at(-1))}, over ${HEALTH_TARGET_MS} ms: ${overTarget(loop.own)}`,
  );
  // What the slowest interval was made of: the main thread's running (its work, GC included, and in a
  // VM any time its virtual CPU was taken while it ran), its wait for a CPU, the steal on its CPU
  // (10 ms ticks), and major page faults; the rest of the interval it spent off the CPU (blocked).
  if (loop.worst !== undefined) {
    const [, delay, cpuWait, onCpu, steal, faults] = loop.worst;
    console.log(
      `  the slowest: ${ms(delay + LOOP_TICK_MS)} between two ${LOOP_TICK_MS} ms ticks: ${ms(onCpu)} on a CPU, ${ms(cpuWait)} waiting for one, ${ms(steal)} of it taken by the hypervisor (steal on its CPU), ${faults} major page faults`,
    );
  }
  console.log(
    `  without the hypervisor's steal on its CPU (${(loop.stealMs / 1000).toFixed(2)} s in the run): p99 ${ms(percentile(loop.unstolen, 0.99))}, max ${ms(loop.unstolen.at(-1))}, over ${HEALTH_TARGET_MS} ms: ${overTarget(loop.unstolen)} (target: none over ${HEALTH_TARGET_MS} ms, judged on this figure)`,
  );
} finally {
  agent.destroy();
  await server.dispose();
  // SOAK_SERVER_OUTPUT=FILE keeps what the server printed (with SOAK_NODE_ARGS=--trace-gc, its GC pauses).
  if (process.env.SOAK_SERVER_OUTPUT !== undefined) writeFileSync(process.env.SOAK_SERVER_OUTPUT, server.output());
  // SOAK_KEEP_LOOP=FILE keeps the loop samples, to lay them beside a --cpu-prof profile of the server.
  if (process.env.SOAK_KEEP_LOOP !== undefined && existsSync(watchFile))
    copyFileSync(watchFile, process.env.SOAK_KEEP_LOOP);
  rmSync(watchDir, { recursive: true, force: true });
}
