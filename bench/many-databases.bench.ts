// "500 open databases in 1 GB": a real server with --max-databases 500, a write to each of 500
// databases (each created by its first write) and a query of each, so every database's engine is
// opened. Two runs: with the default --max-open-engines (least recently used engines close past it),
// and with --max-open-engines 500, every engine open at once. Prints the server's peak RSS (VmHWM),
// RSS, threads and descriptors after the load, and how many database files the server holds open
// then (counted from /proc/<pid>/fd, so "open" is checked, not assumed), against the 1 GB target;
// from the second run, what one open engine costs. The databases share one DuckDB instance, each
// ATTACHed (an instance of its own cost 2.7 MB per database, whatever its memory_limit).
// MANY_DATABASES=n changes the count, MANY_DATABASES_ARGS="--engine-threads 2 …" adds flags to both runs.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { bootstrap } from '../test/helpers/http.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { keepAliveAgent, request } from './peer/keep-alive-http.ts';

const COUNT = Number(process.env.MANY_DATABASES ?? 500);
const EXTRA = (process.env.MANY_DATABASES_ARGS ?? '').split(' ').filter((a) => a !== '');
const TARGET_MB = 1024;
const CONCURRENCY = 8;

function status(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** The database files (`dbs/<id>.duckdb`) the process holds open: the databases attached now. */
function openDatabaseFiles(pid: number): number {
  const files = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    })();
    if (/\/dbs\/\d+\.duckdb$/.test(target)) files.add(target);
  }
  return files.size;
}

async function run(label: string, args: string[], perEngine = false): Promise<boolean> {
  const server = await startServerProcess({
    args: ['--log-level', 'warn', '--max-databases', String(COUNT), ...args, ...EXTRA],
  });
  const agent = keepAliveAgent(CONCURRENCY);
  try {
    const token = await bootstrap(server.url);
    const pid = server.pid!;
    const headers = { authorization: `Bearer ${token}` };
    const startRssMb = status(pid, 'VmRSS') / 1024;
    const failures = new Map<string, number>();
    const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < COUNT; i = next++) {
          const db = `many_${i}`;
          const lines = Array.from({ length: 10 }, (_, p) => `cpu,host=h${p} usage=${p}.5 ${1_700_000_000 + p}`);
          const write = await request(
            agent,
            new URL(`/api/v3/write_lp?db=${db}&precision=second`, server.url),
            'POST',
            headers,
            lines.join('\n'),
          );
          if (write.status !== 204) fail(`write ${write.status}`);
          const sql = encodeURIComponent('select count(*) as n, avg(usage) as u from cpu');
          const query = await request(
            agent,
            new URL(`/api/v3/query_sql?db=${db}&q=${sql}`, server.url),
            'GET',
            headers,
          );
          if (query.status !== 200) fail(`query ${query.status}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const peakMb = status(pid, 'VmHWM') / 1024;
    const rssMb = status(pid, 'VmRSS') / 1024;
    const threads = status(pid, 'Threads');
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const open = openDatabaseFiles(pid);
    const verdict = peakMb <= TARGET_MB ? 'within' : 'OVER';
    console.log(
      `${label}: ${COUNT} databases written and queried in ${seconds.toFixed(1)} s` +
        (failures.size === 0 ? '' : ` (failures: ${[...failures].map(([k, n]) => `${k} ×${n}`).join(', ')})`),
    );
    console.log(
      `  server RSS at start ${startRssMb.toFixed(0)} MB, peak (VmHWM) ${peakMb.toFixed(0)} MB, after ${rssMb.toFixed(0)} MB; ` +
        `threads ${threads}, descriptors ${fds}; database files open ${open}; target peak ≤ ${TARGET_MB} MB: ${verdict}`,
    );
    if (perEngine) {
      const engineMb = (peakMb - startRssMb) / COUNT;
      console.log(
        `  each open engine costs about ${engineMb.toFixed(2)} MB, so at most ${Math.floor((TARGET_MB - startRssMb) / engineMb)} engines open at once fit in ${TARGET_MB} MB`,
      );
      // The figure only counts if every database was stored, queried and is open at the end.
      const honest = failures.size === 0 && open === COUNT;
      console.log(
        `  ${COUNT} open databases in ${TARGET_MB} MB: ${honest && peakMb <= TARGET_MB ? 'MET' : 'NOT MET'}` +
          (honest ? '' : ` (${open} of ${COUNT} open, ${failures.size === 0 ? 'no' : 'some'} failures)`),
      );
      return honest && peakMb <= TARGET_MB;
    }
    return failures.size === 0;
  } finally {
    agent.destroy();
    await server.dispose();
  }
}

const defaults = await run('default engine settings', []);
const allOpen = await run(
  `--max-open-engines ${COUNT} (every engine open at once)`,
  ['--max-open-engines', String(COUNT)],
  true,
);
process.exitCode = defaults && allOpen ? 0 : 1;
