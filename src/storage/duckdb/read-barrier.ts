import { FluxgateError } from '../../domain/errors.ts';

interface Waiter {
  seq: bigint;
  resolve: () => void;
}

/**
 * Read your writes: queries waiting for the write-ahead log to be applied up to the record that was
 * acknowledged when they arrived. The engine says how far it has applied (`settle`); a waiter gives up
 * with STORAGE_BEHIND after `timeoutMs`, or with its signal's reason.
 */
export class ReadBarrier {
  private readonly waiters: Waiter[] = [];

  constructor(private readonly timeoutMs: number) {}

  /** Whether a query is waiting (the apply should then start at once). */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Resolves once `settle` reports `seq` applied (or no longer acknowledged). `failure` says why the
   * apply is behind, for the timeout's message.
   */
  wait(seq: bigint, signal: AbortSignal | undefined, failure: () => Error | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        const cause = failure();
        const why = cause ? `: ${cause.message}` : '';
        reject(
          new FluxgateError(
            'STORAGE_BEHIND',
            `the writes acknowledged before this query were not applied within ${this.timeoutMs} ms${why}`,
          ),
        );
      }, this.timeoutMs);
      const aborted = () => {
        done();
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        seq,
        resolve: () => {
          done();
          resolve();
        },
      };
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
      };
      if (signal?.aborted) return aborted();
      signal?.addEventListener('abort', aborted, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Releases the waiters whose record is applied, and those waiting for a record no longer counted
   * as acknowledged (a failed sync took back the no_sync writes' answer).
   */
  settle(appliedSeq: bigint, acknowledgedSeq: bigint): void {
    for (const waiter of [...this.waiters]) {
      if (appliedSeq >= waiter.seq || waiter.seq > acknowledgedSeq) waiter.resolve();
    }
  }

  /** Releases every waiter (the engine is closing: its queries then fail on the closed engine). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.resolve();
  }
}
