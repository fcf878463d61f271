import { readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/** How often new threads (a parse worker, an engine's DuckDB workers) are looked for. */
const SWEEP_MS = 1_000;
/** The nicest value Linux allows. */
const MAX_NICE = 19;

/**
 * Keeps the thread that answers requests (the main thread) ahead of the threads the server starts
 * for background work: line-protocol parse workers and DuckDB's workers run `delta` nicer. On two
 * busy cores a main thread at their priority waited 4.6–5.5 s of 20 for a CPU behind them and
 * answered /health up to 75 ms late (bench/soak.bench.ts); a thread's priority only matters while
 * threads wait for a CPU, so an idle machine runs as before.
 *
 * The threads the process already has when this starts keep the main thread's priority: libuv's
 * pool, V8's platform threads, the module loader's. The main thread hands work to the pool and to V8's
 * threads through a lock and a condition variable, and glibc's pthread_cond_signal can wait for a
 * woken thread to run: lowered, they held the main thread off the CPU (`perf` on the soak's
 * sched_switch events: 128 waits of 3–9 ms in pthread_cond_signal and 11 on the pool's lock in 20 s,
 * and intervals of up to 53 ms with the main thread neither running nor waiting for a CPU). The pool
 * is started first (one stat on it) so that its threads are among them. Linux only (per-thread nice
 * through /proc and setpriority); elsewhere, and with `delta` 0, it does nothing.
 */
export async function keepMainThreadAhead(delta: number): Promise<{ stop(): void }> {
  if (delta <= 0 || process.platform !== 'linux') return { stop: () => {} };
  // libuv starts every thread of its pool with the first piece of work handed to it.
  await stat('/');
  const nodeOwn = new Set(threadIds());
  const target = Math.min(MAX_NICE, getPriority(process.pid) + delta);
  const sweep = () => {
    for (const tid of threadIds()) {
      if (nodeOwn.has(tid)) continue;
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
