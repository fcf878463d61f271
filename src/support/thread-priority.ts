import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How often new threads (a parse worker, an engine's DuckDB workers) are looked for. */
const SWEEP_MS = 1_000;
/** The nicest value Linux allows. */
const MAX_NICE = 19;

/**
 * Keeps the thread that answers requests (the main thread) ahead of the process's other threads:
 * line-protocol parse workers, DuckDB's workers, the I/O pool and V8's helpers run `delta` nicer.
 * On two busy cores a main thread at their priority waited 4.6–5.5 s of 20 for a CPU behind them and
 * answered /health up to 75 ms late (bench/soak.bench.ts); a thread's priority only matters while
 * threads wait for a CPU, so an idle machine runs as before. Linux only (per-thread nice through
 * /proc and setpriority); elsewhere, and with `delta` 0, it does nothing.
 */
export function keepMainThreadAhead(delta: number): { stop(): void } {
  if (delta <= 0 || process.platform !== 'linux') return { stop: () => {} };
  const target = Math.min(MAX_NICE, getPriority(process.pid) + delta);
  const sweep = () => {
    for (const tid of threadIds()) {
      if (tid === process.pid) continue;
      const nice = niceOf(tid);
      if (nice === undefined || nice >= target) continue;
      try {
        setPriority(tid, target);
      } catch {
        // the thread ended between listing and lowering
      }
    }
  };
  sweep();
  const timer = setInterval(sweep, SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

/** A thread's nice value, from the 19th field of its stat line (after the command name, which may hold spaces). */
export function niceOf(tid: number, pid: number | 'self' = 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined;
  }
}
