// A big streamed result: 10^7 rows of SELECT over a cross join, read in full as json and as csv from a
// real `fluxgate serve` process, with rows/s and the server's peak RSS (sampled from /proc every 50 ms).
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { bootstrap, call } from '../test/helpers/http.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';

const V = '(VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10))';
const ROWS = 10_000_000;
const SQL = `SELECT t0.x AS a, t1.x * 1.5 AS b FROM ${Array.from({ length: 7 }, (_, i) => `${V} t${i}(x)`).join(', ')}`;

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function drain(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const server = await startServerProcess({ args: ['--query-max-result', 'none', '--query-timeout', '10m'] });
try {
  const token = await bootstrap(server.url);
  await call(server.url, 'POST', '/api/v3/write_lp?db=bench', { token, body: 'cpu usage=1 1' });
  const pid = server.pid!;
  console.log(`server RSS at start: ${rssMiB(pid).toFixed(0)} MiB`);
  for (const format of ['json', 'csv']) {
    let peak = rssMiB(pid);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(pid));
    }, 50);
    const started = process.hrtime.bigint();
    const bytes = await drain(
      `${server.url}/api/v3/query_sql?db=bench&format=${format}&q=${encodeURIComponent(SQL)}`,
      token,
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    console.log(
      `${format}: ${ROWS.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s = ` +
        `${Math.round(ROWS / seconds).toLocaleString('en')} rows/s; server peak RSS ${peak.toFixed(0)} MiB`,
    );
  }
} finally {
  await server.dispose();
}
