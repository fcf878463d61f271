import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type PackedBatch, unpackBatch } from './batch-transfer.ts';
import type { LineBatch } from './line-batch.ts';
import { parseLineProtocolBuffer } from './parse-buffer.ts';
import type { Precision } from './types.ts';

/** Bodies smaller than this are parsed on the calling thread: the hop to a worker would cost more. */
const INLINE_BYTES = 64 * 1024;
/**
 * Idle workers stop after this long (a large body starts them again): with loader hooks registered
 * (tsx), an unreferenced worker still keeps the process alive, and a process that uses the pool
 * without closing it (a test, a CLI command) must still exit. A server, which stops its workers
 * when it stops, keeps them far longer (holdSharedParseWorkers).
 */
const IDLE_STOP_MS = 10_000;

/**
 * Loads the worker's TypeScript: directly when the process already loads TypeScript for its
 * workers (`node --import tsx`, as the tests run), else through tsx registered in the worker (the
 * `fluxgate` command registers tsx in its main thread only).
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.entry).catch(async (error) => {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  (await import(workerData.tsx)).register();
  // Another URL: the failed import stays cached under the first.
  await import(workerData.entry + '?tsx');
});
`;

interface Pending {
  body: Buffer;
  precision: Precision;
  resolve: (batch: LineBatch) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Bytes sent to it and not yet answered: a body goes to the slot with the fewest. */
  bytes: number;
  ready: boolean;
  failed: boolean;
}

/**
 * Parses line-protocol bodies on worker threads, so the event loop keeps only HTTP, authorization
 * and the log: with two connections or more, parsing (a third of a write's main-thread time) runs
 * on the other cores. A body is copied to its worker; its batch comes back with the arrays moved,
 * exactly what `parseLineProtocolBuffer` gives (points, line numbers, per-line errors). Small
 * bodies, and every body while no worker is ready, are parsed inline; so are the bodies a worker
 * held when it failed (and it is not used again). Workers start with the first large body and
 * stop when idle (IDLE_STOP_MS).
 */
export class ParsePool {
  private slots: Slot[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private closed = false;
  /** Bodies parsed on a worker thread and on the calling one (small, no worker ready, or its worker failed). */
  readonly counts = { offloaded: 0, inline: 0 };

  /** How long workers with nothing to parse are kept (see IDLE_STOP_MS). */
  idleStopMs = IDLE_STOP_MS;
  /** How much nicer than the main thread workers started from now on run (see lowerThisThread). */
  workerNice = 0;

  constructor(private readonly size = Math.max(1, Math.min(4, availableParallelism() - 1))) {}

  parse(body: Buffer, precision: Precision): Promise<LineBatch> {
    const large = body.length >= INLINE_BYTES && !this.closed;
    if (large) this.startWorkers();
    const slot = large ? this.pick() : undefined;
    if (slot === undefined) {
      this.counts.inline++;
      return Promise.resolve(parseLineProtocolBuffer(body, precision));
    }
    const id = this.nextId++;
    return new Promise<LineBatch>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.bytes += body.length;
      slot.pending.set(id, { body, precision, resolve, reject });
      clearTimeout(this.idleTimer);
      slot.worker.postMessage({ id, body, precision });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorkers();
  }

  /** Worker threads started and not stopped (they stop when idle, see idleStopMs). */
  get workers(): number {
    return this.slots.length;
  }

  /** Starts the workers (if stopped) and resolves once each is ready to take bodies (or failed). */
  async started(): Promise<void> {
    this.startWorkers();
    while (this.slots.some((slot) => !slot.ready && !slot.failed)) await new Promise((r) => setTimeout(r, 10));
  }

  private startWorkers(): void {
    if (this.slots.length === 0 && !this.closed) {
      for (let i = 0; i < this.size; i++) this.slots.push(this.start());
      this.stopWhenIdle();
    }
  }

  private stopWhenIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.slots.every((slot) => slot.pending.size === 0)) void this.stopWorkers();
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  /** Stops the workers now if none is parsing (the next large body starts them again). */
  async stopIdleWorkers(): Promise<void> {
    if (this.slots.every((slot) => slot.pending.size === 0)) await this.stopWorkers();
  }

  private async stopWorkers(): Promise<void> {
    clearTimeout(this.idleTimer);
    const slots = this.slots;
    this.slots = [];
    // A terminated worker's bodies, if any, are parsed here (its exit handler).
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.ready && !slot.failed && (!best || slot.bytes < best.bytes)) best = slot;
    return best;
  }

  private parseHere(waiter: Pending): void {
    this.counts.inline++;
    settle(waiter, () => parseLineProtocolBuffer(waiter.body, waiter.precision));
  }

  private start(): Slot {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      // The young generation the server's main thread has (--max-semi-space-size=64, see bin/fluxgate.js):
      // a parse makes short-lived garbage, and a small one collects it far more often.
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
      workerData: {
        // This module's own extension: .ts from the sources (through tsx), .js when compiled by tsc.
        entry: new URL(`./parse-worker${import.meta.url.endsWith('.js') ? '.js' : '.ts'}`, import.meta.url).href,
        tsx: import.meta.resolve('tsx/esm/api'),
        nice: this.workerNice,
      },
    });
    worker.unref();
    const slot: Slot = { worker, pending: new Map(), bytes: 0, ready: false, failed: false };
    worker.on('message', (message: { ready?: true; id?: number; packed?: PackedBatch; error?: string }) => {
      if (message.ready) {
        slot.ready = true;
        return;
      }
      const waiter = slot.pending.get(message.id!);
      if (waiter === undefined) return;
      slot.pending.delete(message.id!);
      slot.bytes -= waiter.body.length;
      if (slot.pending.size === 0) {
        worker.unref();
        if (this.slots.every((other) => other.pending.size === 0)) this.stopWhenIdle();
      }
      // A body the worker could not parse is parsed here: it throws here as it would have inline.
      if (message.packed !== undefined) {
        this.counts.offloaded++;
        settle(waiter, () => unpackBatch(message.packed!));
      } else this.parseHere(waiter);
    });
    const fail = () => {
      slot.failed = true;
      const waiting = [...slot.pending.values()];
      slot.pending.clear();
      for (const waiter of waiting) this.parseHere(waiter);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return slot;
  }
}

function settle(waiter: Pending, parse: () => LineBatch): void {
  try {
    waiter.resolve(parse());
  } catch (error) {
    waiter.reject(error);
  }
}

let shared: ParsePool | undefined;

/**
 * The process's pool, started on first use; FLUXGATE_PARSE_WORKERS sets its size (0: every body is
 * parsed on the event loop, for side-by-side measurements).
 */
export function sharedParsePool(): ParsePool {
  const size = process.env.FLUXGATE_PARSE_WORKERS;
  shared ??= new ParsePool(size === undefined || size === '' ? undefined : Number(size));
  return shared;
}

/**
 * Keeps the shared pool's workers for `idleStopMs` without work instead of IDLE_STOP_MS, for a
 * server: a worker takes 0.3-0.5 s to start (it loads the parser through tsx), and a client that
 * writes large batches every quarter of a minute would otherwise have its bodies parsed on the
 * event loop while the workers start again; and runs them `nice` nicer than the request thread
 * (`--background-nice`). Returns the release, which the server's shutdown calls.
 */
export function holdSharedParseWorkers(idleStopMs: number, nice: number): () => Promise<void> {
  const pool = sharedParsePool();
  pool.idleStopMs = idleStopMs;
  pool.workerNice = nice;
  return async () => {
    pool.idleStopMs = IDLE_STOP_MS;
    pool.workerNice = 0;
    await pool.stopIdleWorkers();
  };
}
