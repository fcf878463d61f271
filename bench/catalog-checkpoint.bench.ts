// SQLite's WAL checkpoint off the event loop (src/catalog/sqlite/checkpointer.ts): the time one commit
// holds the main thread, less the time that thread waited for a CPU (from /proc schedstat, so other
// processes' load does not count), with SQLite's automatic checkpoint (the commit that crosses 1000
// pages copies the log back) and with the checkpoint worker. 3000 commits of a 2 kB row each, twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** How long this (the main) thread has waited for a CPU, ms. */
const wait = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;

import { Checkpointer } from '../src/catalog/sqlite/checkpointer.ts';
import { WalSync } from '../src/catalog/sqlite/wal-sync.ts';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 3000);

/** Time a commit holds the event loop, without the time its thread waited for a CPU. */
async function run(worker: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'health2-micro-'));
  const file = join(dir, 'c.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const sync = new WalSync(db, file);
  const cp = worker ? new Checkpointer(db, file) : undefined;
  db.exec('create table t (x blob)');
  const insert = db.prepare('insert into t values (randomblob(2000))');
  const times: number[] = [];
  for (let i = 0; i < COMMITS; i++) {
    sync.noteStatement(insert);
    const w0 = wait();
    const t0 = process.hrtime.bigint();
    insert.run();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    times.push(wall - (wait() - w0));
    await sync.settle();
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.floor(p * (times.length - 1))]?.toFixed(2);
  console.log(
    `${worker ? 'checkpoint worker  ' : 'auto-checkpoint    '} commit on the event loop minus CPU wait: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms, over 5 ms: ${times.filter((t) => t > 5).length}`,
  );
  await cp?.close();
  await sync.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
await run(false);
await run(true);
await run(false);
await run(true);
