import { FluxgateError } from '../domain/errors.ts';
import type { QueryStream, ResultColumn } from '../storage/storage.ts';

/** `--query-max-result`: the most rows and bytes one answer may carry. */
export interface ResultCap {
  maxRows: number;
  maxBytes: number;
}

/** The name operators know the cap by, for messages. */
export const RESULT_CAP_FLAG = '--query-max-result';

/** What an answer reads from: the storage's stream of row batches or of JSON lines. */
interface PieceStream<Piece> {
  next(): Promise<Piece | null>;
  close(): Promise<void>;
}

/** What every kind of answer shares: the deadline's signal, the cap, and closing once. */
export abstract class CappedAnswer<Piece, Stream extends PieceStream<Piece> = PieceStream<Piece>> {
  protected readonly budget: ResultBudget;
  private closed = false;

  constructor(
    protected readonly stream: Stream,
    cap: ResultCap,
    readonly signal: AbortSignal,
    private readonly onClose: () => void,
  ) {
    this.budget = new ResultBudget(cap);
  }

  /** Why the answer ended early, or undefined while it is whole. */
  get truncated(): string | undefined {
    return this.budget.cut;
  }

  /** The error a face answers when the cap is reached before anything was sent. */
  tooLarge(): FluxgateError {
    return resultTooLarge(this.budget.cap);
  }

  /** The next piece, or null at the end (or past the cap). */
  async next(): Promise<Piece | null> {
    if (this.budget.cut !== undefined || this.closed) return null;
    const piece = await this.stream.next();
    return piece === null ? null : this.admit(piece);
  }

  /** The pieces until the end (or the cap) as an async iterable. */
  async *pieces(): AsyncGenerator<Piece> {
    for (let piece = await this.next(); piece !== null; piece = await this.next()) yield piece;
  }

  /** The face counts the bytes it encoded; past the cap the next `next` ends the answer. */
  spend(bytes: number): void {
    this.budget.spend(bytes);
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

  /** The part of a piece the cap admits (counted), or null when none of it fits. */
  protected abstract admit(piece: Piece): Piece | null;
}

/**
 * One query's answer as a face reads it: batches until the end, the cap or the deadline. The
 * deadline (`--query-timeout`) runs from `open` until `close`, so it covers conversion and sending;
 * the client's disconnect aborts it too. Past the cap, `next` ends early and `truncated` says why;
 * the face tells the client (a 400 before the first byte, the format's truncation marker after).
 */
export class QueryAnswer extends CappedAnswer<unknown[][], QueryStream> {
  get columns(): ResultColumn[] {
    return this.stream.columns;
  }

  /** Batches as an async iterable (for encoders that take one). */
  batches(): AsyncGenerator<unknown[][]> {
    return this.pieces();
  }

  protected admit(batch: unknown[][]): unknown[][] | null {
    const admitted = this.budget.admitRows(batch.length);
    if (admitted === batch.length) return batch;
    return admitted > 0 ? batch.slice(0, admitted) : null;
  }
}

/**
 * One answer's share of the cap: the rows and bytes counted so far, and once past the cap, why
 * the answer was cut.
 */
class ResultBudget {
  private rows = 0;
  private bytes = 0;
  cut: string | undefined;

  constructor(readonly cap: ResultCap) {}

  /** How many of `count` more rows fit; when not all do, the answer is cut there. */
  admitRows(count: number): number {
    const room = this.cap.maxRows - this.rows;
    if (count <= room) {
      this.rows += count;
      return count;
    }
    this.cut = `the result has more than ${this.cap.maxRows} rows, the limit ${RESULT_CAP_FLAG} sets`;
    this.rows = this.cap.maxRows;
    return Math.max(room, 0);
  }

  spend(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.cap.maxBytes && this.cut === undefined) {
      this.cut = `the result has more than ${this.cap.maxBytes} bytes, the limit ${RESULT_CAP_FLAG} sets`;
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
