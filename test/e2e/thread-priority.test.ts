import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrap, call } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

/** The nice value a server starts with: this process's own, which its children inherit. */
const BASE = getPriority();

/** A thread's nice value, from the 19th field of its stat line (after the command name, which may hold spaces). */
function niceOf(tid: number, pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined;
  }
}

/** Each thread's nice value, the main thread's (its id is the pid) apart. */
function niceValues(pid: number): { main: number | undefined; others: number[] } {
  const others: number[] = [];
  let main: number | undefined;
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    const nice = niceOf(tid, pid);
    if (nice === undefined) continue;
    if (tid === pid) main = nice;
    else others.push(nice);
  }
  return { main, others };
}

/** Brings up the threads a server has in use: the parse workers, the database engine's DuckDB workers. */
async function exercise(server: ServerProcess): Promise<void> {
  const token = await bootstrap(server.url);
  const lines = Array.from({ length: 5_000 }, (_, i) => `cpu,host=h${i % 10} usage=${i / 7} ${1_700_000_000_000 + i}`);
  const write = await call(server.url, 'POST', '/api/v3/write_lp?db=nice&precision=ms', {
    token,
    body: lines.join('\n'),
  });
  assert.equal(write.status, 204, write.text);
  const query = await call(
    server.url,
    'GET',
    `/api/v3/query_sql?db=nice&q=${encodeURIComponent('SELECT count(*) FROM cpu')}`,
    {
      token,
    },
  );
  assert.equal(query.status, 200, query.text);
}

test('the request thread stays ahead: the parse workers run --background-nice nicer, every other thread at its priority', async () => {
  const server = await startServerProcess({ args: ['--background-nice', '7'] });
  try {
    await exercise(server);
    const pid = server.pid!;
    const lowered = Math.min(19, BASE + 7);
    // The write's body starts the parse workers, which lower themselves as they start.
    let seen = niceValues(pid);
    for (let i = 0; i < 30 && !seen.others.includes(lowered); i++) {
      await sleep(200);
      seen = niceValues(pid);
    }
    assert.equal(seen.main, BASE, 'the main thread keeps its priority');
    const workers = seen.others.filter((nice) => nice === lowered).length;
    // A pool has 1 to 4 workers (cores - 1).
    assert.ok(workers >= 1 && workers <= 4, `the parse workers run 7 nicer: ${workers} threads do`);
    assert.deepEqual(
      seen.others.filter((nice) => nice !== lowered && nice !== BASE),
      [],
      'no thread has another priority',
    );
    // DuckDB's threads, libuv's pool and V8's: lowered, the request thread waited for them (see lowerThisThread).
    assert.ok(
      seen.others.filter((nice) => nice === BASE).length >= 4,
      `Node's and DuckDB's threads keep the server's priority: ${seen.others}`,
    );
  } finally {
    await server.dispose();
  }
});

test('--background-nice 0 leaves every thread at the priority the server was started with', async () => {
  const server = await startServerProcess({ args: ['--background-nice', '0'] });
  try {
    await exercise(server);
    await sleep(1_500);
    const seen = niceValues(server.pid!);
    assert.equal(seen.main, BASE);
    assert.deepEqual(
      seen.others.filter((nice) => nice !== BASE),
      [],
    );
  } finally {
    await server.dispose();
  }
});

test('serve refuses a --background-nice outside 0 to 19, naming the flag', async () => {
  for (const value of ['20', '-1', 'high']) {
    const result = await runCli(['serve', '--background-nice', value]);
    assert.notEqual(result.code, 0, value);
    assert.match(result.stderr, /--background-nice/, value);
    assert.match(result.stderr, /whole number/, value);
  }
});
