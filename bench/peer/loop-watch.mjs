// Loaded into a server under test with `node --import bench/peer/loop-watch.mjs` (plain JavaScript:
// it runs before the server registers its TypeScript loader). Every 5 ms it records how late the
// event loop came back and, from /proc/self/task/<pid>/schedstat, how much of that lateness the main
// thread spent runnable but waiting for a CPU (the machine's load, not the server's doing) and how
// much it spent on a CPU; from /proc/stat, the time the hypervisor took meanwhile from the CPU the
// main thread is on (steal: in a VM, time the guest's thread was counted as running while its virtual
// CPU was not; 10 ms ticks); and the main thread's major page faults (a page read back from disk). At
// exit it writes every sample to $LOOP_WATCH_FILE as JSON lines of
// [monotonic µs, delay ms, CPU-wait ms, on-CPU ms, steal ms on its CPU, major faults].
import { openSync, readSync, writeFileSync } from 'node:fs';

const file = process.env.LOOP_WATCH_FILE;
const INTERVAL_MS = 5;
/** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
const MS_PER_TICK = 10;

/**
 * A /proc file read again from its start on each call through one descriptor kept open: a fifth of
 * the cost of readFileSync's open, stat, read and close (measured: 18 against 80 µs for the three
 * files a tick reads, on this thread the watcher measures). Only the start of a longer file is read,
 * which holds what is asked of /proc/stat (its cpu lines come first).
 */
const buffer = Buffer.alloc(64 * 1024);
function procFile(path) {
  const fd = openSync(path, 'r');
  return () => buffer.latin1Slice(0, readSync(fd, buffer, 0, buffer.length, 0));
}

if (file !== undefined) {
  const schedstat = procFile(`/proc/self/task/${process.pid}/schedstat`);
  const stat = procFile(`/proc/self/task/${process.pid}/stat`);
  const cpuStat = procFile('/proc/stat');
  /** Nanoseconds the main thread has run, and waited on a run queue, so far. */
  const thread = () => schedstat().split(' ').slice(0, 2).map(Number);
  /** The main thread's major faults so far and the CPU it last ran on (the 10th and 37th values after its name). */
  const threadStat = () => {
    const line = stat();
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return [Number(fields[9]), Number(fields[36])];
  };
  /** Milliseconds of steal so far on each CPU (the 8th value of each `cpuN` line of /proc/stat). */
  const stolen = () =>
    cpuStat()
      .split('\n')
      .filter((line) => /^cpu\d/.test(line))
      .map((line) => Number(line.split(/\s+/)[8] ?? 0) * MS_PER_TICK);
  const samples = [];
  let last = process.hrtime.bigint();
  let [lastRun, lastWait] = thread();
  let [lastFaults] = threadStat();
  let lastSteal = stolen();
  const timer = setInterval(() => {
    const now = process.hrtime.bigint();
    const [run, wait] = thread();
    const [faults, cpu] = threadStat();
    const steal = stolen();
    samples.push([
      Number(now / 1000n),
      Number(now - last) / 1e6 - INTERVAL_MS,
      (wait - lastWait) / 1e6,
      (run - lastRun) / 1e6,
      (steal[cpu] ?? 0) - (lastSteal[cpu] ?? 0),
      faults - lastFaults,
    ]);
    last = now;
    lastRun = run;
    lastWait = wait;
    lastFaults = faults;
    lastSteal = steal;
  }, INTERVAL_MS);
  timer.unref();
  process.once('exit', () => {
    writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n'));
  });
}
