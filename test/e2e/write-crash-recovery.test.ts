import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { body, ingest, type Ledger, POINTS_PER_REQUEST, ROUNDS, verify } from '../helpers/crash-ingest.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { seededRandom } from '../helpers/seeded-random.ts';
import { startServerProcess } from '../helpers/server-process.ts';

// SIGKILL at random times under 4-connection ingest (the named failpoints: write-crash-*-points.test.ts).
test(`every acknowledged point survives ${ROUNDS} rounds of SIGKILL under 4-connection ingest exactly once`, async (t) => {
  const seed = Number(process.env.FLUXGATE_CRASH_SEED ?? Date.now() % 100_000);
  const next = seededRandom(seed);
  let server = await startServerProcess();
  const dataDir = server.dataDir;
  const ledger: Ledger = { acked: new Set(), unknown: new Set(), next: 0 };
  try {
    const token = await bootstrap(server.url);
    for (let round = 1; round <= ROUNDS; round++) {
      const name = `seed ${seed}, round ${round}`;
      const stop = { now: false };
      const writing = ingest(server, token, ledger, stop);
      // A kill anywhere: inside a log append, between the sync and the answer, inside an apply.
      await new Promise((resolve) => setTimeout(resolve, 150 + next() * 1200));
      await server.kill();
      stop.now = true;
      await writing;
      server = await startServerProcess({ dataDir });
      if (next() < 0.4) {
        // And during the replay: the first request opens the database, which replays its log.
        const first = call(
          server.url,
          'GET',
          `/api/v3/query_sql?db=crashdb&q=${encodeURIComponent('SELECT count(*) FROM crash')}`,
          {
            token,
          },
        ).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, next() * 300));
        await server.kill();
        await first;
        server = await startServerProcess({ dataDir });
      }
      await verify(server, token, ledger, name);
    }
    // And it keeps taking writes.
    const req = ledger.next++;
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=crashdb&precision=ns', {
      token,
      body: body(req, 0),
    });
    assert.equal(response.status, 204, response.text);
    ledger.acked.add(req);
    await verify(server, token, ledger, `seed ${seed}, after the rounds`);
    assert.ok(ledger.acked.size > ROUNDS, `only ${ledger.acked.size} requests were acknowledged`);
    t.diagnostic(
      `seed ${seed}: ${ROUNDS} rounds, ${ledger.acked.size} requests of ${POINTS_PER_REQUEST} points stored`,
    );
  } finally {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
