// Loaded into a server under test with `node --import bench/peer/loop-watch.mjs` (plain JavaScript:
// it runs before the server registers its TypeScript loader). Every 5 ms it records how late the
// event loop came back and, from /proc/self/task/<pid>/schedstat, how much of that lateness the main
// thread spent runnable but waiting for a CPU (the machine's load, not the server's doing) and how
// much it spent on a CPU; and, from /proc/stat, the time the hypervisor took from this machine's
// CPUs meanwhile (steal: in a VM, time the guest neither ran nor counted as waiting; 10 ms ticks,
// every CPU together); and the main thread's major page faults (a page read back from disk while it
// ran). At exit it writes every sample to $LOOP_WATCH_FILE as JSON lines of
// [monotonic µs, delay ms, CPU-wait ms, on-CPU ms, steal ms, major faults].
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.LOOP_WATCH_FILE;
const INTERVAL_MS = 5;
/** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
const MS_PER_TICK = 10;

if (file !== undefined) {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const stat = `/proc/self/task/${process.pid}/stat`;
  /** The main thread's major faults so far (the 10th value after its command name). */
  const faults = () => {
    const line = readFileSync(stat, 'latin1');
    return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[9]);
  };
  /** Nanoseconds the main thread has run, and waited on a run queue, so far. */
  const thread = () => readFileSync(schedstat, 'utf8').split(' ').slice(0, 2).map(Number);
  /** Milliseconds of steal on all CPUs so far (the 8th value of /proc/stat's first line). */
  const stolen = () =>
    Number(readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].split(/\s+/)[8] ?? 0) * MS_PER_TICK;
  const samples = [];
  let last = process.hrtime.bigint();
  let [lastRun, lastWait] = thread();
  let lastSteal = stolen();
  let lastFaults = faults();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const [run, wait] = thread();
    const steal = stolen();
    const faulted = faults();
    samples.push([
      Number(now / 1000n),
      Number(now - last) / 1e6 - INTERVAL_MS,
      (wait - lastWait) / 1e6,
      (run - lastRun) / 1e6,
      steal - lastSteal,
      faulted - lastFaults,
    ]);
    last = now;
    lastRun = run;
    lastWait = wait;
    lastSteal = steal;
    lastFaults = faulted;
  }, INTERVAL_MS);
  timer.unref();
  process.once('exit', () => {
    writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n'));
  });
}
