import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { bootstrap, call } from './http.ts';
import { seededRandom } from './seeded-random.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

/**
 * Rounds of SIGKILL under sustained ingest, shared by test/e2e/write-crash-*.test.ts: at random times,
 * and at each named failpoint (see src/support/failpoints.ts). The issue asks for 50 rounds; `npm test`
 * runs 3 random ones and one at each of the 7 points (three files, so they run side by side), and
 * `FLUXGATE_CRASH_ROUNDS=50` runs 50 random ones and 50 spread over the points (8 at each; by hand:
 * it takes a while).
 */
export const ROUNDS = Number(process.env.FLUXGATE_CRASH_ROUNDS ?? 3);
export const POINT_ROUNDS = process.env.FLUXGATE_CRASH_ROUNDS ? Math.ceil(ROUNDS / 7) : 1;
const CONNECTIONS = 4;
export const POINTS_PER_REQUEST = 1000;
const T0 = 1_700_000_000_000_000_000n;

/** Request `req` writes ids req*1000 … req*1000+999, each at its own time: no two points share a series and time. */
export function body(req: number, connection: number): string {
  const lines: string[] = [];
  for (let j = 0; j < POINTS_PER_REQUEST; j++) {
    const id = req * POINTS_PER_REQUEST + j;
    lines.push(`crash,conn=c${connection},parity=p${id % 2} id=${id}i,v=${id / 7} ${T0 + BigInt(id)}`);
  }
  return lines.join('\n');
}

export interface Ledger {
  /** Requests answered 204. */
  acked: Set<number>;
  /** Requests sent whose answer never came (the kill cut them): each is all there or not at all. */
  unknown: Set<number>;
  next: number;
}

/** Writes from `CONNECTIONS` clients until `stop` is set or the server dies; records every outcome. */
export async function ingest(
  server: ServerProcess,
  token: string,
  ledger: Ledger,
  stop: { now: boolean },
): Promise<void> {
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, connection) => {
      while (!stop.now) {
        const req = ledger.next++;
        ledger.unknown.add(req);
        let status: number;
        try {
          status = (
            await call(server.url, 'POST', '/api/v3/write_lp?db=crashdb&precision=ns', {
              token,
              body: body(req, connection),
            })
          ).status;
        } catch {
          return; // the server is gone; the request's fate is read back after the restart
        }
        assert.equal(status, 204, `request ${req} answered ${status}`);
        ledger.unknown.delete(req);
        ledger.acked.add(req);
      }
    }),
  );
}

/** Every acknowledged request whole and once; every other one whole or absent; nothing else. */
export async function verify(server: ServerProcess, token: string, ledger: Ledger, round: string): Promise<void> {
  const sql = `SELECT CAST(floor(id / ${POINTS_PER_REQUEST}) AS BIGINT) AS req, count(*) AS n, count(DISTINCT id) AS d FROM crash GROUP BY 1`;
  const response = await call<Array<{ req: number; n: number; d: number }>>(
    server.url,
    'GET',
    `/api/v3/query_sql?db=crashdb&q=${encodeURIComponent(sql)}`,
    { token },
  );
  // Killed before any write was stored: the table may not exist yet (nor the database, if it was not created).
  const empty = ledger.acked.size === 0 && (response.status === 404 || /does not exist/.test(response.text));
  if (!empty) assert.equal(response.status, 200, `${round}: ${response.text}`);
  const present = new Map((empty ? [] : response.body).map((row) => [row.req, row]));
  for (const req of ledger.acked) {
    const row = present.get(req);
    assert.ok(row, `${round}: acknowledged request ${req} is missing`);
    assert.equal(row.n, POINTS_PER_REQUEST, `${round}: acknowledged request ${req} has ${row.n} rows`);
    assert.equal(row.d, POINTS_PER_REQUEST, `${round}: acknowledged request ${req} has a point twice`);
  }
  for (const [req, row] of present) {
    if (ledger.acked.has(req)) continue;
    assert.ok(ledger.unknown.has(req), `${round}: request ${req} was never sent but has rows`);
    assert.equal(row.n, POINTS_PER_REQUEST, `${round}: unacknowledged request ${req} is half there (${row.n} rows)`);
    assert.equal(row.d, POINTS_PER_REQUEST, `${round}: unacknowledged request ${req} has a point twice`);
    // It is there now: from here on it must stay, like an acknowledged one.
    ledger.unknown.delete(req);
    ledger.acked.add(req);
  }
  for (const req of ledger.unknown) {
    assert.ok(!present.has(req));
  }
  ledger.unknown.clear();
}

/** The kills at named points: inside a log append (half its record written), between the sync and the answer, inside an apply transaction before its COMMIT, after the COMMIT before the log is released. */
export const INGEST_POINTS = ['wal.append.mid', 'wal.sync.after', 'apply.commit.before', 'apply.commit.after'];
/** And during the replay: reading the log, and inside the replay's first apply (before and after its COMMIT). */
export const REPLAY_POINTS = ['wal.replay.record', 'apply.commit.before', 'apply.commit.after'];

function armed(point: string, hit: number): Record<string, string> {
  return { FLUXGATE_FAILPOINTS: `${point}:${hit}` };
}

/** Waits until the server says it killed itself at `point`, and for it to be gone. */
async function diedAt(server: ServerProcess, point: string, hit: number, round: string): Promise<void> {
  const line = `failpoint ${point} hit ${hit}: SIGKILL`;
  const deadline = Date.now() + 30_000;
  while (!server.output().includes(line) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(server.output().includes(line), `${round}: the server did not die at ${point} (hit ${hit}) within 30 s`);
  await server.kill(); // it is dead already: this waits for its exit
}

/**
 * A round: an armed server (`first`, or one started here) takes the ingest until it kills itself at
 * `point`; with `replayPoint`, the next start (ingest going on) kills itself there while it replays
 * the log; then a clean start must hold every acknowledged request once and nothing half, and take
 * another write.
 */
async function roundAt(
  first: ServerProcess | undefined,
  dataDir: string,
  token: string,
  ledger: Ledger,
  kill: Kill,
  round: string,
): Promise<void> {
  const phases = [{ point: kill.point, hit: kill.hit }];
  if (kill.replayPoint) phases.push({ point: kill.replayPoint, hit: 1 });
  for (const [index, phase] of phases.entries()) {
    const server =
      index === 0 && first ? first : await startServerProcess({ dataDir, env: armed(phase.point, phase.hit) });
    const stop = { now: false };
    const writing = ingest(server, token, ledger, stop);
    await diedAt(server, phase.point, phase.hit, round);
    stop.now = true;
    await writing;
  }
  const server = await startServerProcess({ dataDir });
  try {
    await verify(server, token, ledger, round);
    // The database keeps taking writes.
    const req = ledger.next++;
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=crashdb&precision=ns', {
      token,
      body: body(req, 0),
    });
    assert.equal(response.status, 204, `${round}: a write after the restart answered ${response.text}`);
    ledger.acked.add(req);
    await verify(server, token, ledger, `${round}, and a write after it`);
  } finally {
    // Killed too: what it left in the log is replayed by the next round's start.
    await server.kill();
  }
}

interface Kill {
  point: string;
  hit: number;
  replayPoint?: string;
}

export async function pointTest(
  t: { diagnostic(message: string): void },
  kills: (next: () => number) => Kill,
): Promise<void> {
  const seed = Number(process.env.FLUXGATE_CRASH_SEED ?? Date.now() % 100_000);
  const next = seededRandom(seed);
  let kill = kills(next);
  // The first round's server is armed from the start (creating the operator token writes no point).
  const first = await startServerProcess({ env: armed(kill.point, kill.hit) });
  const dataDir = first.dataDir;
  const ledger: Ledger = { acked: new Set(), unknown: new Set(), next: 0 };
  try {
    const token = await bootstrap(first.url);
    for (let round = 1; round <= POINT_ROUNDS; round++) {
      if (round > 1) kill = kills(next);
      const replay = kill.replayPoint ? ` then in the replay at ${kill.replayPoint}` : '';
      const name = `seed ${seed}, round ${round}, killed at ${kill.point}:${kill.hit}${replay}`;
      await roundAt(round === 1 ? first : undefined, dataDir, token, ledger, kill, name);
    }
    t.diagnostic(
      `seed ${seed}: ${POINT_ROUNDS} rounds, ${ledger.acked.size} requests of ${POINTS_PER_REQUEST} points stored`,
    );
  } finally {
    await first.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
