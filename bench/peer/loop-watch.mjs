// Loaded into a server under test with `node --import bench/peer/loop-watch.mjs` (plain JavaScript:
// it runs before the server registers its TypeScript loader). Every 5 ms it records how late the
// event loop came back and, from /proc/self/task/<pid>/schedstat, how much of that lateness the main
// thread spent runnable but waiting for a CPU (the machine's load, not the server's doing). At exit
// it writes every sample to $LOOP_WATCH_FILE as JSON lines of [monotonic µs, delay ms, CPU-wait ms].
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.LOOP_WATCH_FILE;
const INTERVAL_MS = 5;

if (file !== undefined) {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  /** Nanoseconds the main thread has waited on a run queue so far. */
  const waited = () => Number(readFileSync(schedstat, 'utf8').split(' ')[1]);
  const samples = [];
  let last = process.hrtime.bigint();
  let lastWait = waited();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const wait = waited();
    samples.push([Number(now / 1000n), Number(now - last) / 1e6 - INTERVAL_MS, (wait - lastWait) / 1e6]);
    last = now;
    lastWait = wait;
  }, INTERVAL_MS);
  timer.unref();
  process.once('exit', () => {
    writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n'));
  });
}
