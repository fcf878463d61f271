// A bounded soak of one real server: line-protocol writers, ordinary and hostile SQL queries, token
// churn (create, use, revoke), guessers from many loopback addresses, slow clients that trickle header
// lines and idle keep-alive connections, all at once for SOAK_SECONDS. Prints the requests served,
// the answers by kind, peak RSS, descriptors and threads at the end, and /health latency (max, and how
// many probes took over 50 ms).
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { generateToken } from '../src/domain/token-format.ts';
import { bootstrap } from '../test/helpers/http.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const server = await startServerProcess({
  args: ['--log-level', 'warn', '--query-timeout', '2s', '--http-header-timeout', '3s', '--auth-failure-limit', '20'],
});
const agent = keepAliveAgent(32);
const counts = new Map<string, number>();
const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
const health: number[] = [];
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
    return reply;
  } catch (error) {
    count(`${kind} ${(error as NodeJS.ErrnoException).code ?? 'transport error'}`);
    return undefined;
  }
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
  const pid = server.pid ?? 0;

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
  const probe = (async () => {
    while (running()) {
      const t0 = performance.now();
      await send('health', 'GET', '/health', operator);
      health.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.all([...writers, ...queries, hostile, churn, guessers, slowClients, probe]);
  for (const socket of slow) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 500));

  const served = [...counts].filter(([k]) => !/closed by server|E[A-Z]+$/.test(k)).reduce((sum, [, n]) => sum + n, 0);
  const peakRssMb = status(pid, 'VmHWM') / 1024;
  const rssMb = status(pid, 'VmRSS') / 1024;
  const threads = status(pid, 'Threads');
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  health.sort((a, b) => a - b);
  console.log(`soak: ${SECONDS} s against one server (SQLite catalog, --query-timeout 2s, --http-header-timeout 3s)`);
  console.log(`requests served: ${served} (${(served / SECONDS).toFixed(0)}/s)`);
  console.log('answers by kind:');
  for (const [kind, n] of [...counts].sort()) console.log(`  ${kind}: ${n}`);
  console.log(
    `peak RSS ${peakRssMb.toFixed(0)} MB, RSS at the end ${rssMb.toFixed(0)} MB, threads ${threads}, descriptors ${fds}`,
  );
  console.log(
    `/health: ${health.length} probes, p50 ${health[Math.floor(health.length / 2)]?.toFixed(1)} ms, max ${health.at(-1)?.toFixed(1)} ms, over 50 ms: ${health.filter((h) => h > 50).length}`,
  );
  console.log(
    `server still running: ${server.output().includes('fluxgate listening') && (await send('final', 'GET', '/ping', operator))?.status === 200}`,
  );
} finally {
  agent.destroy();
  await server.dispose();
}
