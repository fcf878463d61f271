import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

// Issue 12 items 1-3, against real server processes: a huge result streams in bounded memory, the
// cap answers 400 before the first byte and a marker after, the deadline and a client that leaves
// stop the query on every path, SIGTERM ends a busy process, and databases and engines are bounded.

const V = '(VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10))';
/** 10^n rows: the cross join of n copies of ten VALUES rows. */
const crossJoin = (n: number) =>
  `SELECT a.x FROM ${Array.from({ length: n }, (_, i) => `${V} t${i}(x)`).join(', ')}`.replace(
    'SELECT a.x',
    'SELECT t0.x',
  );
const RUNAWAY = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

const sqlPath = (db: string, sql: string, format = 'jsonl') =>
  `/api/v3/query_sql?db=${db}&format=${format}&q=${encodeURIComponent(sql)}`;

function procStatus(pid: number, key: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN);
}
const rssMiB = (pid: number) => procStatus(pid, 'VmRSS') / 1024;
const threads = (pid: number) => procStatus(pid, 'Threads');
const descriptors = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function readToken(server: ServerProcess, admin: string, db: string): Promise<string> {
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: `reader-${db}`,
      permissions: [{ resource_type: 'db', resource_names: [db], actions: ['read'] }],
    },
  });
  assert.equal(issued.status, 201, issued.text);
  return issued.body.token;
}

async function write(server: ServerProcess, token: string, db: string, body = 'cpu,host=a usage=1 1'): Promise<number> {
  return (await call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, { token, body })).status;
}

async function activeQueries(server: ServerProcess, admin: string): Promise<number> {
  const metrics = await call(server.url, 'GET', '/metrics', { token: admin });
  const line = metrics.text.split('\n').find((l) => l.startsWith('fluxgate_active_queries '));
  assert.ok(line, 'the active query gauge is exported');
  return Number(line.split(' ')[1]);
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`never came true: ${what}`);
}

/** Reads a response until `maxBytes`, sampling the server's RSS; then drops the connection. */
function readSome(
  url: string,
  token: string,
  maxBytes: number,
  sample: () => void,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      let samples = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (++samples % 200 === 0) sample();
        if (bytes >= maxBytes) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, bytes });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a result too large to hold, with no cap', () => {
  let server: ServerProcess;
  let admin: string;
  let reader: string;
  before(async () => {
    server = await startServerProcess({ args: ['--query-max-result', 'none', '--query-timeout', '60s'] });
    admin = await bootstrap(server.url);
    assert.equal(await write(server, admin, 'a'), 204);
    reader = await readToken(server, admin, 'a');
  });
  after(() => server.dispose());

  test('10^8 rows stream with a read token in bounded memory; leaving stops the query', async () => {
    const pid = server.pid!;
    const before = rssMiB(pid);
    let peak = before;
    const sample = () => {
      peak = Math.max(peak, rssMiB(pid));
    };
    for (const format of ['jsonl', 'csv', 'json']) {
      const { status, bytes } = await readSome(
        `${server.url}${sqlPath('a', crossJoin(8), format)}`,
        reader,
        40e6,
        sample,
      );
      assert.equal(status, 200, format);
      assert.ok(bytes >= 40e6, `${format}: 40 MB of the result arrived (${bytes})`);
    }
    sample();
    // The old code built all 10^8 rows in the heap before the first byte (6 GB, then a crash).
    assert.ok(peak - before < 400, `RSS grew by ${Math.round(peak - before)} MiB (from ${Math.round(before)})`);
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'the active query gauge returns to 0');
    const next = await call(server.url, 'GET', sqlPath('a', 'SELECT count(*) AS n FROM cpu', 'json'), {
      token: reader,
    });
    assert.equal(next.status, 200, next.text);
    assert.deepEqual(next.body, [{ n: 1 }]);
  });
});

describe('limits on one server', () => {
  let server: ServerProcess;
  let admin: string;
  let reader: string;
  before(async () => {
    server = await startServerProcess({
      args: ['--query-max-result', '100000rows', '--query-timeout', '2s', '--max-databases', '4'],
    });
    admin = await bootstrap(server.url);
    assert.equal(await write(server, admin, 'a'), 204);
    reader = await readToken(server, admin, 'a');
  });
  after(() => server.dispose());

  test('past the cap before the first byte: 400 naming --query-max-result', async () => {
    const small = await startServerProcess({ args: ['--query-max-result', '1000rows'] });
    try {
      const token = await bootstrap(small.url);
      assert.equal(await write(small, token, 'a'), 204);
      for (const format of ['json', 'jsonl', 'csv', 'pretty', 'parquet']) {
        const response = await call<{ code: string; error: string }>(
          small.url,
          'GET',
          sqlPath('a', crossJoin(4), format),
          { token },
        );
        assert.equal(response.status, 400, `${format}: ${response.text}`);
        assert.equal(response.body.code, 'QUERY_RESULT_TOO_LARGE');
        assert.match(response.body.error, /--query-max-result/);
      }
      const influxql = await call<{ code: string }>(
        small.url,
        'GET',
        `/api/v3/query_influxql?db=a&q=${encodeURIComponent('SELECT * FROM cpu')}`,
        { token },
      );
      assert.equal(influxql.status, 200, 'a small InfluxQL result passes');
      const whole = await call(small.url, 'GET', sqlPath('a', crossJoin(3), 'csv'), { token });
      assert.equal(whole.status, 200, 'a result within the cap is whole');
      assert.equal(whole.text.trimEnd().split('\n').length, 1001);
      assert.doesNotMatch(whole.text, /fluxgate_truncated/);
    } finally {
      await small.dispose();
    }
  });

  test('past the cap after the first byte: the rows sent, then the format’s truncation marker', async () => {
    const jsonl = await call(server.url, 'GET', sqlPath('a', crossJoin(6)), { token: reader });
    assert.equal(jsonl.status, 200);
    const lines = jsonl.text.trimEnd().split('\n');
    assert.equal(lines.length, 100_001);
    assert.match(JSON.parse(lines.at(-1)!).fluxgate_truncated, /more than 100000 rows.*--query-max-result/);
    const json = await call<Array<Record<string, unknown>>>(server.url, 'GET', sqlPath('a', crossJoin(6), 'json'), {
      token: reader,
    });
    assert.equal(json.body.length, 100_001, 'still valid JSON');
    assert.ok(typeof json.body.at(-1)!.fluxgate_truncated === 'string');
    const csv = await call(server.url, 'GET', sqlPath('a', crossJoin(6), 'csv'), { token: reader });
    assert.match(csv.text.trimEnd().split('\n').at(-1)!, /^#fluxgate_truncated: /);
  });

  test('the timeout stops a runaway query on a database never written and on _internal', async () => {
    const created = await call(server.url, 'POST', '/api/v3/configure/database', {
      token: admin,
      json: { db: 'never_written' },
    });
    assert.equal(created.status, 201, created.text);
    for (const db of ['never_written', '_internal', 'a']) {
      const response = await call<{ error: string }>(server.url, 'GET', sqlPath(db, RUNAWAY, 'json'), {
        token: admin,
      });
      assert.equal(response.status, 400, `${db}: ${response.text}`);
      assert.match(response.body.error, /--query-timeout/, db);
    }
    await eventually(async () => (await activeQueries(server, admin)) === 0, 'the active query gauge returns to 0');
  });

  test('a client that leaves stops its runaway query: the gauge returns to 0 and the database answers', async () => {
    const slow = await startServerProcess({ args: ['--query-timeout', '10m'] });
    try {
      const token = await bootstrap(slow.url);
      assert.equal(await write(slow, token, 'a'), 204);
      for (const db of ['a', 'never', '_internal']) {
        if (db === 'never') {
          await call(slow.url, 'POST', '/api/v3/configure/database', { token, json: { db } });
        }
        const controller = new AbortController();
        const pending = fetch(`${slow.url}${sqlPath(db, RUNAWAY, 'json')}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: controller.signal,
        }).catch(() => undefined);
        await eventually(async () => (await activeQueries(slow, token)) === 1, `${db}: the query runs`);
        controller.abort();
        await pending;
        await eventually(async () => (await activeQueries(slow, token)) === 0, `${db}: the query stopped`);
      }
      const next = await call(slow.url, 'GET', sqlPath('a', 'SELECT count(*) AS n FROM cpu', 'json'), { token });
      assert.deepEqual(next.body, [{ n: 1 }]);
    } finally {
      await slow.dispose();
    }
  });

  test('--max-databases refuses a database past the limit, by API and by writing', async () => {
    const live = await call<unknown[]>(server.url, 'GET', '/api/v3/configure/database?format=json', { token: admin });
    assert.equal(live.status, 200, live.text);
    for (let i = live.body.length; i < 4; i++) assert.equal(await write(server, admin, `fill${i}`), 204);
    assert.equal(await write(server, admin, 'fourth'), 409);
    const byWrite = await call<{ code: string; error: string }>(server.url, 'POST', '/api/v3/write_lp?db=fifth', {
      token: admin,
      body: 'cpu usage=1 1',
    });
    assert.equal(byWrite.status, 409, byWrite.text);
    assert.equal(byWrite.body.code, 'DATABASE_LIMIT_REACHED');
    assert.match(byWrite.body.error, /at most 4 databases \(--max-databases\)/);
    const byApi = await call<{ code: string }>(server.url, 'POST', '/api/v3/configure/database', {
      token: admin,
      json: { db: 'fifth' },
    });
    assert.equal(byApi.status, 409);
    assert.equal(byApi.body.code, 'DATABASE_LIMIT_REACHED');
    assert.equal(await write(server, admin, 'a'), 204, 'writing to an existing database still works');
  });
});

test('SIGTERM ends a process that runs a runaway query', async () => {
  const server = await startServerProcess({ args: ['--query-timeout', '10m'] });
  const token = await bootstrap(server.url);
  assert.equal(await write(server, token, 'a'), 204);
  const pending = fetch(`${server.url}${sqlPath('a', RUNAWAY, 'json')}`, {
    headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
  await eventually(async () => (await activeQueries(server, token)) === 1, 'the query runs');
  const exited = await Promise.race([
    server.stop(),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000)),
  ]);
  if (exited === 'hung') await server.kill();
  assert.notEqual(exited, 'hung', 'the process ended after SIGTERM');
  await pending;
  await server.dispose();
});

test('many databases: idle engines close, releasing their threads and descriptors, and reopen on use', async () => {
  const server = await startServerProcess({
    args: ['--max-open-engines', '8', '--engine-idle-timeout', '1s', '--max-databases', '1000'],
  });
  try {
    const pid = server.pid!;
    const token = await bootstrap(server.url);
    assert.equal(await write(server, token, 'db0'), 204);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const base = { threads: threads(pid), fds: descriptors(pid) };
    const count = 60;
    let peak = { ...base };
    for (let i = 1; i <= count; i++) {
      assert.equal(await write(server, token, `db${i}`, `cpu,host=h${i} usage=${i} 1`), 204);
      peak = { threads: Math.max(peak.threads, threads(pid)), fds: Math.max(peak.fds, descriptors(pid)) };
    }
    // Each open engine holds about one thread and two descriptors; at most 8 are open.
    assert.ok(peak.threads - base.threads <= 8 * 2 + 8, `threads ${base.threads} → peak ${peak.threads}`);
    assert.ok(peak.fds - base.fds <= 8 * 4 + 16, `descriptors ${base.fds} → peak ${peak.fds}`);
    await eventually(
      () => threads(pid) <= base.threads + 2 && descriptors(pid) <= base.fds + 4,
      `idle engines close (threads ${threads(pid)} vs ${base.threads}, fds ${descriptors(pid)} vs ${base.fds})`,
    );
    for (const i of [1, 30, 60]) {
      const read = await call(server.url, 'GET', sqlPath(`db${i}`, 'SELECT usage FROM cpu', 'json'), { token });
      assert.deepEqual(read.body, [{ usage: i }], `db${i} reopens with its data`);
    }
  } finally {
    await server.dispose();
  }
});
