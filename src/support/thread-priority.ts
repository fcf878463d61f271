import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nicest value Linux allows. */
const MAX_NICE = 19;

/**
 * Runs the calling thread `delta` nicer than the process's main thread, the one that answers
 * requests. Line-protocol parse workers call it as they start: they take a third of ingest's CPU,
 * and on two busy cores a main thread at their priority waited for a CPU behind them.
 *
 * Only they are lowered. DuckDB's threads, libuv's pool and V8's keep the main thread's priority:
 * the main thread hands the pool work through a condition variable, and glibc's pthread_cond_signal
 * can wait for the woken thread to run, so lowered pool threads held it off the CPU (`perf` on
 * bench/soak.bench.ts: 128 waits of 3–9 ms in 20 s); and with the pool at the main thread's
 * priority but DuckDB's threads lowered, ingest CPU per point rose 14–25 %. docs/operations.md
 * (`--background-nice`) has the figures. Linux only (per-thread nice); elsewhere, with `delta` 0,
 * or without /proc, it does nothing.
 */
export function lowerThisThread(delta: number): void {
  if (delta <= 0 || process.platform !== 'linux') return;
  try {
    // /proc/thread-self links to /proc/<pid>/task/<tid>.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(tid, Math.min(MAX_NICE, getPriority(process.pid) + delta));
  } catch {
    // no /proc, or not allowed: the thread keeps its priority
  }
}
