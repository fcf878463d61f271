import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { startServerProcess } from '../helpers/server-process.ts';

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
