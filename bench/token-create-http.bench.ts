// Token creation through the HTTP API on a real server process: tokens/s on SQLite and on
// PostgreSQL, 16 concurrent clients for a fixed time each; the ratio is printed side by side.
import { bootstrap } from '../test/helpers/http.ts';
import { createScratchDatabase } from '../test/helpers/postgres.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 16;

async function measure(args: string[]): Promise<{ perSecond: number; p99ms: number }> {
  const server = await startServerProcess({ args: [...args, '--log-level', 'warn'] });
  try {
    const operator = await bootstrap(server.url);
    // node:http with keep-alive: a much lighter client than fetch, so the server gets the CPU it would in production.
    const agent = keepAliveAgent(CONCURRENCY);
    const url = new URL('/api/v3/configure/token/named_admin', server.url);
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    const create = async (name: string) => {
      const reply = await request(agent, url, 'POST', headers, JSON.stringify({ token_name: name, expiry_secs: 3600 }));
      if (reply.status !== 201) throw new Error(`create failed: ${reply.status} ${reply.body.toString()}`);
    };
    for (let i = 0; i < 200; i++) await create(`warmup-${i}`);
    const deadline = Date.now() + SECONDS * 1000;
    const latencies: number[] = [];
    let counter = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < deadline) {
          const t0 = process.hrtime.bigint();
          await create(`bench-${counter++}`);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    latencies.sort((a, b) => a - b);
    return { perSecond: latencies.length / seconds, p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
  } finally {
    await server.dispose();
  }
}

const sqlite = await measure([]);
const scratch = await createScratchDatabase();
let postgres: { perSecond: number; p99ms: number };
try {
  postgres = await measure(['--catalog', scratch.url]);
} finally {
  await scratch.drop();
}
console.log(`token creation over HTTP (${CONCURRENCY} clients, ${SECONDS} s each)`);
console.log(
  `  SQLite      ${Math.round(sqlite.perSecond).toLocaleString('en')} tokens/s  p99 ${sqlite.p99ms.toFixed(1)} ms  (target ≥ 2,000/s)`,
);
console.log(
  `  PostgreSQL  ${Math.round(postgres.perSecond).toLocaleString('en')} tokens/s  p99 ${postgres.p99ms.toFixed(1)} ms`,
);
console.log(`  SQLite ÷ PostgreSQL = ${(sqlite.perSecond / postgres.perSecond).toFixed(2)}`);
