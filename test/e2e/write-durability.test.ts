import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { startServerProcess } from '../helpers/server-process.ts';

test('a write acknowledged with 204 survives SIGKILL of the server right after', async () => {
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  try {
    const token = await bootstrap(server.url);
    // Each batch at its own times: a point written again at the same series and time replaces the first.
    const lines = (batch: number) =>
      Array.from(
        { length: 5000 },
        (_, i) =>
          `cpu,host=h${i % 100} usage=${i / 7},n=${i}i ${1_700_000_000_000_000_000n + BigInt(batch * 5000 + i)}`,
      );
    for (let batch = 0; batch < 3; batch++) {
      const response = await call(server.url, 'POST', '/api/v3/write_lp?db=durable', {
        token,
        body: lines(batch).join('\n'),
        headers: { 'x-batch': String(batch) },
      });
      assert.equal(response.status, 204, response.text);
    }
    await server.kill();

    server = await startServerProcess({ dataDir });
    const response = await call<Array<{ n: number; total: number }>>(
      server.url,
      'GET',
      `/api/v3/query_sql?db=durable&q=${encodeURIComponent('SELECT count(*) AS n, sum(n) AS total FROM cpu')}`,
      { token },
    );
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body[0]!.n, 15_000);
    assert.equal(response.body[0]!.total, 3 * ((4999 * 5000) / 2));
  } finally {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
