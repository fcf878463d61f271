import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const T0 = 1_700_000_000_000_000_000n;

function lines(from: number, count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `disk,host=h${(from + i) % 10} n=${from + i}i ${T0 + BigInt(from + i)}`,
  ).join('\n');
}

/** Mounts a tmpfs of `size` at `dir` (root only); false where mounting is not allowed. */
function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

test('a write the full disk cannot log gets 507 STORAGE_FULL, stores nothing, and loses nothing acknowledged', async () => {
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  let mounted: string | undefined;
  try {
    const token = await bootstrap(server.url);
    const write = (body: string) => call(server.url, 'POST', '/api/v3/write_lp?db=full&precision=ns', { token, body });
    const count = async () => {
      const response = await call<Array<{ n: number; total: number }>>(
        server.url,
        'GET',
        `/api/v3/query_sql?db=full&q=${encodeURIComponent('SELECT count(*) AS n, sum(n) AS total FROM disk')}`,
        { token },
      );
      assert.equal(response.status, 200, response.text);
      return response.body[0]!;
    };
    assert.equal((await write(lines(0, 100))).status, 204);
    await server.stop();

    // The database's write-ahead log goes on a 256 KiB disk of its own.
    const file = readdirSync(join(dataDir, 'dbs')).find((name) => name.endsWith('.duckdb'));
    assert.ok(file, 'the database has its file');
    const walDir = join(dataDir, 'dbs', `${file}.points-wal`);
    rmSync(walDir, { recursive: true, force: true });
    mkdirSync(walDir);
    // npm test fails rather than skips a suite it cannot run: this one needs root (CI runs as root).
    assert.ok(mountTmpfs(walDir, '256k'), 'mounting a 256 KiB tmpfs for the write-ahead log failed: run as root');
    mounted = walDir;
    server = await startServerProcess({ dataDir });

    assert.equal((await write(lines(100, 1000))).status, 204);
    // About 40 bytes a point: 20,000 points cannot fit in 256 KiB.
    const refused = await write(lines(1100, 20_000));
    assert.equal(refused.status, 507, refused.text);
    assert.equal(refused.headers.get('x-fluxgate-error'), 'STORAGE_FULL');
    assert.match(refused.text, /disk .*is full/);
    const sum = (n: number) => (n * (n - 1)) / 2;
    assert.deepEqual(
      await count(),
      { n: 1100, total: sum(1100) },
      'everything acknowledged, nothing of the refused write',
    );

    // The refused record was cut back off the log: smaller writes go on, and survive a crash.
    assert.equal((await write(lines(1100, 500))).status, 204);
    await server.kill();
    server = await startServerProcess({ dataDir });
    assert.deepEqual(await count(), { n: 1600, total: sum(1600) });
  } finally {
    await server.dispose();
    if (mounted) spawnSync('umount', [mounted], { stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Stats {
  /** Rows, distinct values of `n`, and the least and greatest `n`. */
  rows: number;
  distinct: number;
  lo: number;
  hi: number;
}

/** The table's `Stats`, once the query gets an answer other than 503 STORAGE_BEHIND (up to `ms`). */
async function settledStats(server: ServerProcess, token: string, ms: number): Promise<Stats> {
  const sql = 'SELECT count(*) AS rows, count(DISTINCT n) AS distinct, min(n) AS lo, max(n) AS hi FROM disk';
  const deadline = Date.now() + ms;
  for (;;) {
    const response = await call<Stats[]>(server.url, 'GET', `/api/v3/query_sql?db=full&q=${encodeURIComponent(sql)}`, {
      token,
    });
    if (response.status === 200) return response.body[0]!;
    assert.equal(response.headers.get('x-fluxgate-error'), 'STORAGE_BEHIND', response.text);
    assert.ok(Date.now() < deadline, `the apply did not catch up within ${ms} ms: ${response.text}`);
  }
}

/** Every `n` from 0 to `count - 1` is there once, and no other (nothing of a refused write). */
function assertAll(stats: Stats, count: number, when: string): void {
  assert.deepEqual(
    { distinct: stats.distinct, lo: stats.lo, hi: stats.hi },
    { distinct: count, lo: 0, hi: count - 1 },
    `${when}: not every acknowledged point, or more`,
  );
  // A COMMIT DuckDB failed on the full disk can leave part of its appended rows behind in memory, to
  // be stored by the next one that commits: the engine reopens the database after a failed apply.
  assert.equal(stats.rows, stats.distinct, `${when}: ${stats.rows - stats.distinct} rows are stored more than once`);
}

test("the database file's disk full: the apply fails and retries, writes get back pressure (503), and each acknowledged point is stored once there is room", async () => {
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  const dbs = join(dataDir, 'dbs');
  const mounted: string[] = [];
  try {
    const token = await bootstrap(server.url);
    const write = (body: string) => call(server.url, 'POST', '/api/v3/write_lp?db=full&precision=ns', { token, body });
    assert.equal((await write(lines(0, 100))).status, 204);
    await server.stop();

    // The DuckDB file (and DuckDB's own WAL beside it) on a 2 MiB disk; the write-ahead log on a 64 MiB one inside it.
    renameSync(dbs, `${dbs}.before`);
    mkdirSync(dbs);
    // npm test fails rather than skips a suite it cannot run: this one needs root (CI runs as root).
    assert.ok(mountTmpfs(dbs, '2m'), 'mounting a 2 MiB tmpfs for the database file failed: run as root');
    mounted.unshift(dbs);
    cpSync(`${dbs}.before`, dbs, { recursive: true });
    rmSync(`${dbs}.before`, { recursive: true, force: true });
    const file = readdirSync(dbs).find((name) => name.endsWith('.duckdb'));
    assert.ok(file, 'the database has its file');
    const walDir = join(dbs, `${file}.points-wal`);
    mkdirSync(walDir, { recursive: true });
    assert.ok(mountTmpfs(walDir, '64m'), 'mounting a 64 MiB tmpfs for the write-ahead log failed');
    mounted.unshift(walDir);
    server = await startServerProcess({ dataDir });

    // Writes are acknowledged once logged; the apply behind them soon finds DuckDB's disk full, and
    // the writes go on until a million points wait unapplied: then one waits (30 s) and gets 503.
    let next = 100;
    let refused: Awaited<ReturnType<typeof write>> | undefined;
    for (let i = 0; i < 80 && refused === undefined; i++) {
      const response = await write(lines(next, 50_000));
      if (response.status === 204) next += 50_000;
      else refused = response;
    }
    const failures = server.output().match(/applying the write-ahead log to the database failed; retrying/g) ?? [];
    assert.ok(failures.length > 0, 'the apply never failed: the database file is on a 2 MiB disk');
    assert.match(server.output(), /No space left on device/, 'the apply failed for the full disk');
    assert.ok(failures.length > 1, 'the apply was retried');
    assert.ok(refused, 'no write got back pressure before 4 million points were logged unapplied');
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.headers.get('x-fluxgate-error'), 'STORAGE_BEHIND');
    assert.match(refused.text, /not yet applied.*No space left on device.*the write was not stored/);
    assert.ok(next > 1_000_000, `only ${next} points were acknowledged before the back pressure`);

    // Room again: the retried apply stores every acknowledged point, and nothing of the refused write.
    assert.equal(
      spawnSync('mount', ['-o', 'remount,size=512m', dbs], { stdio: 'ignore' }).status,
      0,
      'growing the tmpfs failed',
    );
    assertAll(await settledStats(server, token, 120_000), next, 'once there is room');
    assert.equal((await write(lines(next, 1000))).status, 204, 'writes go on');
    next += 1000;
    assertAll(await settledStats(server, token, 60_000), next, 'after another write');

    // And it all survives a crash.
    await server.kill();
    server = await startServerProcess({ dataDir });
    assertAll(await settledStats(server, token, 60_000), next, 'after a crash');
  } finally {
    await server.dispose();
    for (const dir of mounted) spawnSync('umount', [dir], { stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
