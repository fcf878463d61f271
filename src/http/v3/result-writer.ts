import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResultSource } from '../../services/query-service.ts';
import { CONTENT_TYPES, encoderFor, type QueryFormat } from './query-formats.ts';

/**
 * Held back before the status line is sent: a result that passes the cap (or fails) within this
 * much is answered with its error and status instead of a 200 that ends in a truncation marker.
 */
const FIRST_FLUSH_BYTES = 64 * 1024;

/**
 * The client's disconnect as a signal, for the query service: a response closed before it finished
 * means the client left, and its query must stop.
 */
export function clientGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  request.raw.once('aborted', () => controller.abort());
  return controller.signal;
}

/**
 * Sends a result in a format, batch by batch, with the socket's backpressure (fastify pipes the
 * stream). Closes the source when done, failed, or when the client leaves. Resolves once the first
 * piece is ready: errors before it propagate (the error handler answers them with their status).
 */
export async function sendResult(
  reply: FastifyReply,
  source: ResultSource & { close(): Promise<void> },
  format: QueryFormat,
  parquet: (source: ResultSource) => AsyncIterable<Uint8Array>,
): Promise<FastifyReply> {
  reply.raw.once('close', () => void source.close());
  let sent = false;
  const pieces = format === 'parquet' ? parquet(source) : textPieces(source, format, () => sent);
  const iterator = pieces[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let size = 0;
  let finished = false;
  try {
    while (size < FIRST_FLUSH_BYTES) {
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        break;
      }
      head.push(step.value);
      size += step.value.byteLength;
    }
  } catch (error) {
    await source.close();
    throw error;
  }
  sent = true;
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      if (finished) return;
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value;
    } finally {
      await iterator.return?.();
      await source.close();
    }
  };
  return reply
    .code(200)
    .type(CONTENT_TYPES[format])
    .send(Readable.from(rest(), { objectMode: false, highWaterMark: FIRST_FLUSH_BYTES }));
}

/**
 * The text formats' pieces. A stop after the first byte (the cap, the deadline, a failure) ends with
 * the format's truncation marker; before it, the error is thrown (the cap as QUERY_RESULT_TOO_LARGE).
 */
async function* textPieces(
  source: ResultSource,
  format: Exclude<QueryFormat, 'parquet'>,
  started: () => boolean,
): AsyncGenerator<Uint8Array> {
  const encoder = encoderFor(format, source.columns);
  const emit = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    source.spend(bytes.byteLength);
    return bytes;
  };
  yield emit(encoder.begin());
  let failure: string | undefined;
  try {
    for await (const batch of source.batches()) {
      const piece = emit(encoder.batch(batch));
      if (piece.byteLength > 0) yield piece;
    }
  } catch (error) {
    if (!started()) throw error;
    failure = error instanceof Error ? error.message : String(error);
  }
  const reason = failure ?? source.truncated;
  if (reason === undefined) {
    yield Buffer.from(encoder.end(), 'utf8');
    return;
  }
  if (!started() && failure === undefined) throw source.tooLarge();
  yield Buffer.from(encoder.truncated(reason), 'utf8');
}
