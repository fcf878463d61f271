import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonLinesAnswer } from '../../services/json-lines-answer.ts';
import type { ResultSource } from '../../services/query-service.ts';
import { CONTENT_TYPES, encoderFor, isJsonFormat, jsonLinesEncoderFor, type QueryFormat } from './query-formats.ts';

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
 * A deadline that passes while the client does not read (nothing is pulled, so nothing notices):
 * after a moment for the in-band marker, the connection is closed, so the query's work ends.
 */
export function closeAfterDeadline(signal: AbortSignal, reply: FastifyReply): void {
  const close = () => {
    setTimeout(() => {
      if (!reply.raw.writableFinished) reply.raw.destroy();
    }, 1000).unref();
  };
  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });
}

/**
 * Sends a result in a format, batch by batch, with the socket's backpressure (fastify pipes the
 * stream). Closes the source when done, failed, or when the client leaves. Resolves once the first
 * piece is ready: errors before it propagate (the error handler answers them with their status).
 */
export async function sendResult(
  reply: FastifyReply,
  source: (ResultSource & { close(): Promise<void> }) | JsonLinesAnswer,
  format: QueryFormat,
  parquet: (source: ResultSource) => AsyncIterable<Uint8Array>,
): Promise<FastifyReply> {
  let sent = false;
  const started = () => sent;
  closeAfterDeadline(source.signal, reply);
  let pieces: AsyncIterable<Uint8Array>;
  if (source instanceof JsonLinesAnswer) {
    // openForJson is asked for json and jsonl only (the route); anything else is a caller's bug.
    if (!isJsonFormat(format)) {
      await source.close();
      throw new Error(`JSON lines cannot be sent as ${format}`);
    }
    pieces = encodedPieces(source, source.pieces(), jsonLinesEncoderFor(format), started);
  } else if (format === 'parquet') {
    pieces = parquet(source);
  } else {
    const encoder = encoderFor(format, source.columns);
    pieces = encodedPieces(source, source.batches(), { ...encoder, encode: encoder.batch }, started);
  }
  return sendHeldBack(
    reply,
    pieces,
    CONTENT_TYPES[format],
    () => source.close(),
    () => {
      sent = true;
    },
  );
}

/**
 * Sends pieces as a 200 with the socket's backpressure, holding back the first FIRST_FLUSH_BYTES:
 * an error thrown before them propagates (the error handler answers it with its status), so only a
 * large answer can end in an in-band marker. `close` runs once, when done, failed or the client left;
 * `flushing` runs just before the status line (a face's last chance to set headers).
 */
export async function sendHeldBack(
  reply: FastifyReply,
  pieces: AsyncIterable<Uint8Array>,
  contentType: string,
  close: () => Promise<void> | void,
  flushing: () => void = () => {},
): Promise<FastifyReply> {
  let closed = false;
  const closeOnce = async () => {
    if (closed) return;
    closed = true;
    await close();
  };
  reply.raw.once('close', () => void closeOnce());
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
    await closeOnce();
    throw error;
  }
  flushing();
  if (finished) {
    // The whole answer is in hand (most are): one buffer with its length, written with the status
    // line in one go, instead of a stream piped to the socket (a write for the head, another for the body).
    await closeOnce();
    return reply.code(200).type(contentType).send(Buffer.concat(head, size));
  }
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value;
    } finally {
      await iterator.return?.();
      await closeOnce();
    }
  };
  return reply
    .code(200)
    .type(contentType)
    .send(Readable.from(rest(), { objectMode: false, highWaterMark: FIRST_FLUSH_BYTES }));
}

/** A format written piece by piece: the rows of a batch, or a run of JSON lines. */
interface PieceEncoder<Piece> {
  begin(): string;
  encode(piece: Piece): string | Buffer;
  end(): string;
  truncated(reason: string): string;
}

/**
 * The text formats' pieces. A stop after the first byte (the cap, the deadline, a failure) ends with
 * the format's truncation marker; before it, the error is thrown (the cap as QUERY_RESULT_TOO_LARGE).
 */
async function* encodedPieces<Piece>(
  source: Pick<ResultSource, 'truncated' | 'spend' | 'tooLarge'>,
  input: AsyncIterable<Piece>,
  encoder: PieceEncoder<Piece>,
  started: () => boolean,
): AsyncGenerator<Uint8Array> {
  const emit = (piece: string | Buffer) => {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    source.spend(bytes.byteLength);
    return bytes;
  };
  yield emit(encoder.begin());
  let failure: string | undefined;
  try {
    for await (const piece of input) {
      const bytes = emit(encoder.encode(piece));
      if (bytes.byteLength > 0) yield bytes;
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
