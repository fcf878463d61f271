// Linux /proc and file-system figures for the benchmarks: a process's memory and CPU time, and a directory's size.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The pid of the one process whose command line contains `needle` (other than this process). */
export function findPidByCmdline(needle: string): number {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(needle)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  if (found.length !== 1) throw new Error(`expected one process with '${needle}' in its command line, found ${found}`);
  return found[0]!;
}

/** CPU time (user + system, every thread) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Waits until the processes together use less than `cores` over a `windowMs` window (their own
 * background work done: a log applied, a compaction finished), at most `timeoutMs`. Returns the
 * seconds waited.
 */
export async function untilQuiet(
  pids: number[],
  { cores = 0.1, windowMs = 300, timeoutMs = 30_000 } = {},
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = pids.map(cpuSeconds);
    await sleep(windowMs);
    const used = pids.reduce((sum, pid, i) => sum + cpuSeconds(pid) - before[i]!, 0);
    const elapsed = performance.now() - started;
    if (used / (windowMs / 1000) < cores || elapsed >= timeoutMs) return elapsed / 1000;
  }
}

/** Linux's USER_HZ, fixed at 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface MemoryStatus {
  /** Peak resident set size so far, in bytes. */
  hwm: number;
  /** Current resident set size, in bytes. */
  rss: number;
}

export function memoryStatus(pid: number): MemoryStatus {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { hwm: kib('VmHWM'), rss: kib('VmRSS') };
}

/** Polls a process's RSS while `run` works, returning the highest value seen next to `run`'s result. */
export async function sampleRss<T>(pids: number[], run: () => Promise<T>): Promise<{ value: T; peaks: number[] }> {
  const peaks = pids.map(() => 0);
  const sample = () => {
    pids.forEach((pid, index) => {
      try {
        peaks[index] = Math.max(peaks[index]!, memoryStatus(pid).rss);
      } catch {
        // the process is gone: the caller notices on its own
      }
    });
  };
  sample();
  const timer = setInterval(sample, 100);
  try {
    const value = await run();
    sample();
    return { value, peaks };
  } finally {
    clearInterval(timer);
  }
}

export interface DiskUsage {
  /** Sum of file sizes. */
  apparent: number;
  /** Sum of allocated blocks, as `du` counts them. */
  allocated: number;
}

/** The size of a file, or of every file under a directory; zero when it does not exist. */
export function diskUsage(path: string): DiskUsage {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return { apparent: 0, allocated: 0 };
  }
  if (!stat.isDirectory()) return { apparent: stat.size, allocated: stat.blocks * 512 };
  const total = { apparent: 0, allocated: 0 };
  for (const entry of readdirSync(path)) {
    const usage = diskUsage(join(path, entry));
    total.apparent += usage.apparent;
    total.allocated += usage.allocated;
  }
  return total;
}
