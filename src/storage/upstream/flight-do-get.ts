import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { MAX_TIMER_MS } from '../../domain/durations.ts';
import { decodeFlightData, encodeTicket, type FlightData } from '../../flight/flight-messages.ts';
import { reasonOf } from './upstream-http.ts';
import type { UpstreamTarget } from './upstream-target.ts';

const DO_GET = '/arrow.flight.protocol.FlightService/DoGet';
/** Record batches are at most this large; InfluxDB 3 and fluxgate stay well below it. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** What the upstream may send on one stream before we read it (gRPC's flow control holds the rest back). */
const STREAM_WINDOW_BYTES = 1024 * 1024;
/** The same for all the streams of the connection together. */
const SESSION_WINDOW_BYTES = 16 * 1024 * 1024;
/** How long connecting may take before the upstream counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/** InfluxDB 3's JSON ticket. */
export interface FlightTicket {
  database: string;
  sql_query: string;
  query_type: 'sql';
  params?: Record<string, unknown>;
}

/** One open DoGet: the Arrow IPC messages it carries, and how to stop it. */
export interface FlightCall {
  /** The stream's FlightData messages that carry an IPC message (one each: metadata and body). */
  messages: AsyncIterable<FlightData>;
  cancel(): void;
}

/** A gRPC status other than OK, as the upstream (or the connection to it) ended a call. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(details);
  }
}

/**
 * DoGet on the upstream's Flight service (InfluxDB 3 serves it on its HTTP port), spoken as plain
 * gRPC over one HTTP/2 connection of node:http2: a DoGet is one request and a stream of
 * length-prefixed messages. Measured against grpc-js on two cores, this takes a millisecond or more
 * off every query (grpc-js's channel, filter and picker machinery per call). A closed connection is
 * opened again on the next call, at once.
 */
export class FlightChannel {
  private session: ClientHttp2Session | undefined;
  private closed = false;

  constructor(private readonly target: UpstreamTarget) {}

  /** Starts a DoGet; errors surface from the first read of `messages` as a GrpcCallError. */
  doGet(ticket: FlightTicket, deadlineMs: number): FlightCall {
    const call = new DoGetCall(this.target.token);
    if (this.closed) {
      call.fail(new GrpcCallError(status.UNAVAILABLE, 'the channel is closed'));
      return { messages: call.messages(undefined), cancel: () => {} };
    }
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': DO_GET,
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: `Bearer ${this.target.token}`,
    };
    // A deadline past one timer's reach (no flag allows one) is none: grpc-js servers would read it as
    // negative, so as expired, and a timer that long fires at once.
    const bounded = Number.isFinite(deadlineMs) && deadlineMs <= MAX_TIMER_MS;
    if (bounded) headers['grpc-timeout'] = grpcTimeout(deadlineMs);
    const stream = this.connect().request(headers);
    call.attach(stream, bounded ? deadlineMs : Number.POSITIVE_INFINITY);
    stream.end(framed(encodeTicket(Buffer.from(JSON.stringify(ticket), 'utf8'))));
    return { messages: call.messages(stream), cancel: () => call.cancel() };
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private connect(): ClientHttp2Session {
    const live = this.session;
    if (live !== undefined && !live.closed && !live.destroyed) return live;
    const session = http2.connect(this.target.url, {
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
      maxSessionMemory: 128,
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // A failed connection fails its streams (each reports it); the session's own event is only noted.
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW_BYTES));
    const connecting = setTimeout(() => {
      if (!session.connecting) return;
      session.destroy(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }));
    }, CONNECT_TIMEOUT_MS);
    session.once('connect', () => clearTimeout(connecting));
    session.once('close', () => clearTimeout(connecting));
    // The server's listener keeps the process alive; an idle connection to the upstream must not.
    session.unref();
    this.session = session;
    return session;
  }
}

/** One call's state: the status the upstream ended it with, or why it ended otherwise. */
class DoGetCall {
  private stream: ClientHttp2Stream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: GrpcCallError | undefined;
  private httpStatus: number | undefined;
  private grpc: { code: number; message: string } | undefined;
  private cancelled = false;
  /** Why the answer is not gRPC at all (an HTTP error page): its body is not read as messages. */
  private notGrpc: { code: number; message: string } | undefined;

  /** `secret`: the upstream token, kept out of every error even when the upstream echoes it. */
  constructor(private readonly secret: string) {}

  attach(stream: ClientHttp2Stream, deadlineMs: number): void {
    this.stream = stream;
    stream.on('response', (headers) => {
      this.httpStatus = Number(headers[':status']);
      const type = headers['content-type'] ?? '';
      if (this.httpStatus !== 200) this.notGrpc = fromHttpStatus(this.httpStatus);
      else if (!type.startsWith('application/grpc')) {
        this.notGrpc = {
          code: status.UNKNOWN,
          message: `the upstream answered ${type || 'no content type'}, not gRPC`,
        };
      }
      this.noteStatus(headers); // a trailers-only answer carries its status here
    });
    stream.on('trailers', (trailers) => this.noteStatus(trailers));
    stream.on('error', () => {}); // read by messages()
    if (Number.isFinite(deadlineMs)) {
      this.timer = setTimeout(() => {
        this.fail(new GrpcCallError(status.DEADLINE_EXCEEDED, 'deadline exceeded'));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, deadlineMs);
      stream.once('close', () => clearTimeout(this.timer));
    }
  }

  fail(error: GrpcCallError): void {
    this.failure ??= error;
  }

  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    if (this.stream !== undefined) resetUnfinished(this.stream);
  }

  /**
   * The call's gRPC messages as FlightData, skipping those without an IPC message (app metadata
   * only); throws the call's status when it is not OK.
   */
  async *messages(stream: ClientHttp2Stream | undefined): AsyncGenerator<FlightData> {
    if (stream === undefined) throw this.failure;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (this.notGrpc !== undefined) break; // an error page: its HTTP status is the answer
        chunks.push(chunk);
        size += chunk.length;
        while (size >= 5) {
          const head = chunks[0]!.length >= 5 ? chunks[0]! : Buffer.concat(chunks, size);
          if (head[0] !== 0) throw new GrpcCallError(status.INTERNAL, 'the upstream sent a compressed message');
          const length = head.readUInt32BE(1);
          if (length > MAX_MESSAGE_BYTES) {
            throw new GrpcCallError(status.RESOURCE_EXHAUSTED, `a message of ${length} bytes is over the limit`);
          }
          if (size < 5 + length) break;
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          const rest = all.subarray(5 + length);
          chunks.length = 0;
          size = rest.length;
          if (size > 0) chunks.push(rest);
          const data = flightData(all.subarray(5, 5 + length));
          if (data.dataHeader.byteLength > 0) yield data;
        }
      }
    } catch (error) {
      if (this.cancelled) throw cancelledCall();
      if (error instanceof GrpcCallError) throw error;
      throw this.failure ?? new GrpcCallError(status.UNAVAILABLE, this.redact(reasonOf(error)));
    } finally {
      clearTimeout(this.timer);
      resetUnfinished(stream);
    }
    if (this.cancelled) throw cancelledCall();
    if (this.failure !== undefined) throw this.failure;
    if (size > 0) throw new GrpcCallError(status.INTERNAL, 'the upstream ended the call inside a message');
    const ended = this.grpc ?? this.notGrpc ?? fromHttpStatus(this.httpStatus);
    if (ended.code !== status.OK) throw new GrpcCallError(ended.code, ended.message);
  }

  private noteStatus(headers: IncomingHttpHeaders): void {
    const code = headers['grpc-status'];
    if (code === undefined) return;
    const message = headers['grpc-message'];
    const text = typeof message === 'string' ? decodeGrpcMessage(message) : '';
    this.grpc = { code: Number(code), message: this.redact(text) };
  }

  /** The upstream's own words may quote the request; the credential in them is not passed on. */
  private redact(text: string): string {
    return this.secret === '' ? text : text.split(this.secret).join('[redacted]');
  }
}

/**
 * Resets a call the upstream has not finished. One it finished (its answer read to the end) closes by
 * itself and is never reset: servers count resets as an attack (HTTP/2 rapid reset), and nghttp2's
 * limit (1,000 at once, then about 33 a second) made fluxgate's storage nodes close the connection
 * every 1,100 queries, failing the query under way.
 */
function resetUnfinished(stream: ClientHttp2Stream): void {
  if (!stream.closed && !stream.readableEnded) stream.close(http2.constants.NGHTTP2_CANCEL);
}

/** A read after `cancel` (a reader still waiting): the caller's own reason is what it reports. */
function cancelledCall(): GrpcCallError {
  return new GrpcCallError(status.CANCELLED, 'the call was cancelled');
}

function flightData(message: Buffer): FlightData {
  try {
    return decodeFlightData(message);
  } catch (error) {
    throw new GrpcCallError(status.INTERNAL, `the upstream sent a message that is not FlightData: ${reasonOf(error)}`);
  }
}

/** gRPC's length-prefixed message: not compressed, big-endian length, the bytes. */
function framed(message: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/**
 * A deadline of at most MAX_TIMER_MS as gRPC's TimeoutValue, which has at most 8 digits (grpc-js
 * servers read the last 8 of a longer one): milliseconds while they fit, else seconds, rounded up.
 */
function grpcTimeout(ms: number): string {
  return ms <= 99_999_999 ? `${Math.max(1, Math.ceil(ms))}m` : `${Math.ceil(ms / 1_000)}S`;
}

/** A call that ended without a gRPC status: the status its HTTP answer stands for (gRPC's own mapping). */
function fromHttpStatus(http: number | undefined): { code: number; message: string } {
  switch (http) {
    case 200:
    case undefined:
      // The answer began (or not) and the stream ended with no status: the connection went away under it.
      return { code: status.UNAVAILABLE, message: 'the connection was closed before the query ended' };
    case 401:
      return { code: status.UNAUTHENTICATED, message: 'HTTP 401' };
    case 403:
      return { code: status.PERMISSION_DENIED, message: 'HTTP 403' };
    case 404:
      return { code: status.UNIMPLEMENTED, message: 'the upstream does not serve Flight (HTTP 404)' };
    case 429:
    case 502:
    case 503:
    case 504:
      return { code: status.UNAVAILABLE, message: `HTTP ${http}` };
    default:
      return { code: status.UNKNOWN, message: `HTTP ${http}` };
  }
}

function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function isServiceError(error: unknown): error is GrpcCallError {
  return error instanceof GrpcCallError;
}

export { status as grpcStatus };
