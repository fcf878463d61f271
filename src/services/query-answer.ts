import { FluxgateError } from '../domain/errors.ts';
import type { QueryStream, ResultColumn } from '../storage/storage.ts';

/** `--query-max-result`: the most rows and bytes one answer may carry. */
export interface ResultCap {
  maxRows: number;
  maxBytes: number;
}

/** The name operators know the cap by, for messages. */
export const RESULT_CAP_FLAG = '--query-max-result';

/**
 * One query's answer as a face reads it: batches until the end, the cap or the deadline. The
 * deadline (`--query-timeout`) runs from `open` until `close`, so it covers conversion and sending;
 * the client's disconnect aborts it too. Past the cap, `next` ends early and `truncated` says why;
 * the face tells the client (a 400 before the first byte, the format's truncation marker after).
 */
export class QueryAnswer {
  private rows = 0;
  private bytes = 0;
  private cut: string | undefined;
  private closed = false;

  constructor(
    private readonly stream: QueryStream,
    private readonly cap: ResultCap,
    readonly signal: AbortSignal,
    private readonly onClose: () => void,
  ) {}

  get columns(): ResultColumn[] {
    return this.stream.columns;
  }

  /** Why the answer ended early, or undefined while it is whole. */
  get truncated(): string | undefined {
    return this.cut;
  }

  /** The error a face answers when the cap is reached before anything was sent. */
  tooLarge(): FluxgateError {
    return resultTooLarge(this.cap);
  }

  async next(): Promise<unknown[][] | null> {
    if (this.cut !== undefined || this.closed) return null;
    const batch = await this.stream.next();
    if (batch === null) return null;
    const room = this.cap.maxRows - this.rows;
    if (batch.length > room) {
      this.cut = `the result has more than ${this.cap.maxRows} rows, the limit ${RESULT_CAP_FLAG} sets`;
      this.rows = this.cap.maxRows;
      return room > 0 ? batch.slice(0, room) : null;
    }
    this.rows += batch.length;
    return batch;
  }

  /** The face counts the bytes it encoded; past the cap the next `next` ends the answer. */
  spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.cap.maxBytes && this.cut === undefined) {
      this.cut = `the result has more than ${this.cap.maxBytes} bytes, the limit ${RESULT_CAP_FLAG} sets`;
    }
  }

  /** Batches as an async iterable (for encoders that take one). */
  async *batches(): AsyncGenerator<unknown[][]> {
    for (let batch = await this.next(); batch !== null; batch = await this.next()) yield batch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.stream.close();
    } finally {
      this.onClose();
    }
  }
}

/** QUERY_RESULT_TOO_LARGE naming the cap, for an answer stopped before its first byte. */
export function resultTooLarge(cap: ResultCap): FluxgateError {
  return new FluxgateError(
    'QUERY_RESULT_TOO_LARGE',
    `the result is larger than ${RESULT_CAP_FLAG} allows (${describeCap(cap)}); narrow the query or raise the limit`,
    { field: RESULT_CAP_FLAG },
  );
}

export function describeCap(cap: ResultCap): string {
  const parts: string[] = [];
  if (Number.isFinite(cap.maxBytes)) parts.push(`${cap.maxBytes} bytes`);
  if (Number.isFinite(cap.maxRows)) parts.push(`${cap.maxRows} rows`);
  return parts.length === 0 ? 'no limit' : parts.join(', ');
}

/**
 * A signal that aborts after `timeoutMs` (with a QUERY_FAILED naming `--query-timeout`) or when
 * `client` aborts (the client left). `dispose` stops the timer.
 */
export function requestDeadline(
  timeoutMs: number,
  client: AbortSignal | undefined,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(
        () =>
          controller.abort(
            new FluxgateError(
              'QUERY_FAILED',
              `the query ran longer than ${timeoutMs / 1000} s (--query-timeout) and was stopped`,
              { field: '--query-timeout' },
            ),
          ),
        timeoutMs,
      )
    : undefined;
  const left = () => controller.abort(new FluxgateError('QUERY_FAILED', 'the client closed the connection'));
  if (client?.aborted) left();
  else client?.addEventListener('abort', left, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      client?.removeEventListener('abort', left);
    },
  };
}
