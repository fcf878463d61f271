/**
 * Write-ahead log benchmark: the time to replay 1M logged but unapplied points when a database
 * opens (what a restart after SIGKILL pays; target ≤ 2 s), and the latency of a write followed by
 * a `count` that must include it (read your writes), p50 and p99. Run with
 * `node --import tsx bench/wal-replay.bench.ts`.
 *
 * The log is written as the server writes it (parsed batches, framed records, synced segments),
 * then the DuckDB storage opens the database and the first query waits for the replay to apply.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDbStorage } from '../src/storage/duckdb/duckdb-storage.ts';
import { encodeRecord } from '../src/storage/duckdb/wal-record.ts';
import { nodeWalFileSystem, WriteAheadLog } from '../src/storage/duckdb/write-ahead-log.ts';
import { parseLineProtocolBuffer } from '../src/storage/lineprotocol/parse-buffer.ts';
import type { StorageDatabase } from '../src/storage/storage.ts';

const POINTS = 1_000_000;
const BATCH = 5_000;
const LATENCY_ROUNDS = 200;
const START_NS = 1_700_000_000_000_000_000n;

const db: StorageDatabase = {
  id: 1,
  name: 'replay',
  limits: { maxTables: 100, maxColumnsPerTable: 200, retentionPeriodMs: null },
};

function body(batch: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const n = batch * BATCH + i;
    const series = n % 100;
    lines.push(
      `cpu,host=host-${series},region=region-${series % 5} usage_user=${(n % 1000) / 10},usage_system=${n / 3},procs=${n}i,temperature=${40 + (n % 200) / 10},status="ok" ${START_NS + BigInt(n) * 1_000_000_000n}`,
    );
  }
  return Buffer.from(lines.join('\n'));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-wal-bench-'));
try {
  console.log(`cpus: ${os.cpus().length}, load average: ${os.loadavg()[0]!.toFixed(1)}`);
  const storage0 = new DuckDbStorage(dir);
  fs.mkdirSync(path.join(dir, 'dbs'), { recursive: true });
  const silent = { warn: () => {}, error: () => {} };
  const { log } = await WriteAheadLog.open(storage0.walDir(db.id), 0n, nodeWalFileSystem, silent);
  const writeStart = performance.now();
  for (let batch = 0; batch < POINTS / BATCH; batch++) {
    const parsed = parseLineProtocolBuffer(body(batch), 'ns');
    await log.append(encodeRecord(log.seq, [parsed.tables.map((table) => ({ table, rows: null }))]));
  }
  await log.sync();
  await log.close(0n);
  const logBytes = fs
    .readdirSync(storage0.walDir(db.id))
    .reduce((sum, name) => sum + fs.statSync(path.join(storage0.walDir(db.id), name)).size, 0);
  console.log(
    `log written: ${POINTS.toLocaleString()} points in ${((performance.now() - writeStart) / 1000).toFixed(2)} s, ${logBytes.toLocaleString()} bytes = ${(logBytes / POINTS).toFixed(1)} bytes/point`,
  );
  await storage0.close();

  let readMs: unknown;
  const storage = new DuckDbStorage(dir, Number.POSITIVE_INFINITY, {
    logger: {
      warn: (details) => {
        readMs ??= details.readMs;
      },
      error: () => {},
    },
  });
  const replayStart = performance.now();
  const result = await storage.query(db, 'SELECT count(*) FROM cpu');
  const replayMs = performance.now() - replayStart;
  console.log(
    `replay of ${POINTS.toLocaleString()} unapplied points (open + read + apply + first count): ${(replayMs / 1000).toFixed(2)} s (reading the log: ${String(readMs)} ms); count = ${result.rows[0]![0]}`,
  );

  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const n = POINTS + i;
    const line = `cpu,host=host-x,region=region-x usage_user=1,usage_system=2,procs=${n}i,temperature=3,status="ok" ${START_NS + BigInt(n) * 1_000_000_000n}`;
    const started = performance.now();
    await storage.write(db, parseLineProtocolBuffer(Buffer.from(line), 'ns'), 0n);
    const counted = await storage.query(db, 'SELECT count(*) FROM cpu');
    latencies.push(performance.now() - started);
    if (counted.rows[0]![0] !== n + 1)
      throw new Error(`count ${counted.rows[0]![0]} misses the write just acknowledged`);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `write one point, then a count that includes it (${LATENCY_ROUNDS} rounds): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  await storage.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
