/**
 * DuckDB storage benchmark: write throughput for 5,000-point batches (100 series, 2 tags,
 * 4 fields), then a count and a `date_bin` aggregation over at least 1M points, then bytes on
 * disk per point. Run with `node --import tsx bench/storage.bench.ts`; it takes about 30 s.
 *
 * Besides wall-clock rates it prints points per CPU-second (all threads of the process), which
 * says more than wall time on a machine shared with other work.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDbStorage } from '../src/storage/duckdb/duckdb-storage.ts';
import type { ParsedLine } from '../src/storage/lineprotocol/types.ts';
import type { StorageDatabase } from '../src/storage/storage.ts';

const BATCH = 5_000;
const SERIES = 100;
const PHASE_MS = 4_000;
const MIN_POINTS = 1_000_000;
const START_NS = 1_700_000_000_000_000_000n;
const STEP_NS = 1_000_000_000n;
/** Batches are built once and restamped; a write never holds more than 4 of them. */
const RING = 8;

function makeBatch(): ParsedLine[] {
  return Array.from({ length: BATCH }, (_, index) => {
    const series = index % SERIES;
    return {
      lineNumber: index + 1,
      point: {
        measurement: 'cpu',
        tags: [
          ['host', `host-${series}`],
          ['region', `region-${series % 5}`],
        ],
        fields: [
          ['usage_user', { type: 'float', value: Math.random() * 100 }],
          ['usage_system', { type: 'float', value: Math.random() * 100 }],
          ['procs', { type: 'integer', value: BigInt(index) }],
          ['temperature', { type: 'float', value: 40 + Math.random() * 20 }],
        ],
        timestampNs: 0n,
      },
    };
  });
}

const ring = Array.from({ length: RING }, makeBatch);
let issued = 0;
let tick = 0n;

/** The next 50 one-second steps of all 100 series. */
function nextBatch(): ParsedLine[] {
  const batch = ring[issued++ % RING]!;
  for (let index = 0; index < BATCH; index++) {
    if (index % SERIES === 0) tick++;
    batch[index]!.point.timestampNs = START_NS + tick * STEP_NS;
  }
  return batch;
}

async function writePhase(storage: DuckDbStorage, db: StorageDatabase, inFlight: number): Promise<number> {
  let points = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (performance.now() - started < PHASE_MS) {
      const outcome = await storage.write(db, nextBatch(), 0n);
      if (outcome.rejected.length > 0) throw new Error(outcome.rejected[0]!.message);
      points += outcome.written;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(
    `write, ${inFlight} batch(es) in flight: ${points.toLocaleString()} points in ${seconds.toFixed(1)} s = ` +
      `${Math.round(points / seconds).toLocaleString()} points/s; ` +
      `${Math.round(points / cpuSeconds).toLocaleString()} points per CPU-second`,
  );
  return points;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label}: ${(performance.now() - started).toFixed(1)} ms`);
  return result;
}

function bytesOnDisk(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? bytesOnDisk(full) : fs.statSync(full).size;
  }
  return total;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-'));
const storage = new DuckDbStorage(dir);
const db: StorageDatabase = {
  id: 1,
  name: 'bench',
  limits: { maxTables: 100, maxColumnsPerTable: 100, retentionPeriodMs: null },
};
try {
  console.log(`cpus: ${os.cpus().length}, load average: ${os.loadavg()[0]?.toFixed(1)}`);
  let points = await writePhase(storage, db, 1);
  points += await writePhase(storage, db, 4);
  while (points < MIN_POINTS) {
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => storage.write(db, nextBatch(), 0n)));
    points += outcomes.reduce((sum, outcome) => sum + outcome.written, 0);
  }
  const aggregation = `SELECT date_bin(INTERVAL '1 minute', time) AS minute, host, avg(usage_user) AS mean,
    max(usage_user) AS peak FROM cpu GROUP BY minute, host ORDER BY minute, host`;
  // The first run includes opening a query connection; the second is the steady state.
  for (const run of ['first', 'second']) {
    const count = await timed(`count(*), ${run} run`, () => storage.query(db, 'SELECT count(*) AS n FROM cpu'));
    console.log(`  rows: ${String(count.rows[0]?.[0])}`);
    const buckets = await timed(`date_bin('1 minute', time) + host, mean and max, ${run} run`, () =>
      storage.query(db, aggregation),
    );
    console.log(`  groups returned: ${buckets.rows.length.toLocaleString()}`);
  }
  await storage.close();
  const bytes = bytesOnDisk(dir);
  console.log(
    `disk after close: ${bytes.toLocaleString()} bytes for ${points.toLocaleString()} points = ${(bytes / points).toFixed(1)} bytes/point`,
  );
} finally {
  await storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
