import { Agent, request } from 'undici';
import { MAX_TIMER_MS } from '../../domain/durations.ts';
import { FluxgateError } from '../../domain/errors.ts';
import { type UpstreamTarget, upstreamLabel } from './upstream-target.ts';

/** An upstream answer's body is read up to this much; more is cut (error bodies, schema answers). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** How long connecting may take before the upstream counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

export interface UpstreamAnswer {
  status: number;
  /** The body as text, at most MAX_ANSWER_BYTES. */
  text: string;
}

/** An answer whose body is still arriving. */
export interface OpenAnswer {
  status: number;
  body: AsyncIterable<Buffer> & { destroy(): void };
  /** A read's error as the call's: the caller's signal's reason, the timeout, or the upstream unavailable. */
  failure(error: unknown): unknown;
}

export interface UpstreamCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: string | Buffer;
  contentType?: string;
  /** Bounds the whole call, body included; past it the upstream counts as unavailable. None when not finite. */
  timeoutMs: number;
  /** The client's own signal: aborting throws its reason. */
  signal?: AbortSignal;
  /** What a call past `timeoutMs` fails with; by default the upstream counts as unavailable. */
  pastTimeout?: () => unknown;
}

/**
 * HTTP calls to the upstream with the gateway's one credential, over a keep-alive pool. Failures
 * become UPSTREAM_UNAVAILABLE naming the upstream and the reason, never the credential.
 */
export class UpstreamHttp {
  private readonly agent = new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS }, keepAliveTimeout: 10_000 });
  readonly label: string;

  constructor(private readonly target: UpstreamTarget) {
    this.label = upstreamLabel(target);
  }

  async call(call: UpstreamCall): Promise<UpstreamAnswer> {
    const answer = await this.open(call);
    return { status: answer.status, text: await this.text(answer) };
  }

  /**
   * An open answer's body read whole as text, at most MAX_ANSWER_BYTES, with the gateway's credential
   * cut out: an upstream (or a proxy before it) that echoes the request must not pass it on in an error.
   */
  async text(answer: OpenAnswer): Promise<string> {
    let text: string;
    try {
      text = await boundedText(answer.body);
    } catch (error) {
      throw answer.failure(error);
    }
    return this.target.token === '' ? text : text.split(this.target.token).join('[redacted]');
  }

  /**
   * A call whose answer body is read as it arrives, still bounded by `timeoutMs` and `signal`: the
   * caller reads it to the end or destroys it, and translates a read's error with `failure`.
   */
  async open(call: UpstreamCall): Promise<OpenAnswer> {
    const url = new URL(call.path, `${this.target.url}/`);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const timeout =
      Number.isFinite(call.timeoutMs) && call.timeoutMs <= MAX_TIMER_MS
        ? AbortSignal.timeout(call.timeoutMs)
        : undefined;
    const signals = [timeout, call.signal].filter((signal) => signal !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const headers: Record<string, string> = { authorization: `Bearer ${this.target.token}` };
    if (call.contentType !== undefined) headers['content-type'] = call.contentType;
    const failure = (error: unknown): unknown => {
      if (call.signal?.aborted) return call.signal.reason;
      if (timeout?.aborted)
        return call.pastTimeout?.() ?? this.unavailable(`it did not answer within ${call.timeoutMs} ms`);
      return this.unavailable(reasonOf(error));
    };
    try {
      const answer = await request(url, {
        method: call.method,
        headers,
        body: call.body ?? null,
        ...(signal === undefined ? {} : { signal }),
        dispatcher: this.agent,
      });
      return { status: answer.statusCode, body: answer.body, failure };
    } catch (error) {
      throw failure(error);
    }
  }

  unavailable(reason: string): FluxgateError {
    return new FluxgateError('UPSTREAM_UNAVAILABLE', `${this.label} is unavailable: ${reason}`, { reason });
  }

  /** An answer that is about the upstream, not the request: its credential refused, its own failure. */
  failed(answer: UpstreamAnswer, what: string): FluxgateError {
    // Starting, shutting down, overloaded, or a proxy that cannot reach it: unavailable, and worth a retry.
    if (answer.status === 502 || answer.status === 503 || answer.status === 504) {
      return this.unavailable(`it answered HTTP ${answer.status}: ${messageOf(answer.text)}`);
    }
    const why =
      answer.status === 401 || answer.status === 403
        ? 'it refused the gateway credential (check --upstream-token-file)'
        : `it answered HTTP ${answer.status}: ${messageOf(answer.text)}`;
    return new FluxgateError('UPSTREAM_FAILED', `${what} on ${this.label} failed: ${why}`, { status: answer.status });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function boundedText(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = MAX_ANSWER_BYTES - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= MAX_ANSWER_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The upstream's own error message from an InfluxDB 3 style body (`{"error": …}`), else the text, clipped. */
export function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    const message = parsed.error ?? parsed.message;
    if (typeof message === 'string') return message.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 500) || '(no body)';
}

/** Why a connection to the upstream failed, in words (a socket error's code, mostly). */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its host name does not resolve';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting took longer than ${CONNECT_TIMEOUT_MS} ms`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
