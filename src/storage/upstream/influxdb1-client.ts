import { quoteIdent } from '../../influxql/printer.ts';
import { byteOrder } from '../../support/byte-order.ts';
import type { Precision } from '../lineprotocol/types.ts';
import type { MeasurementSchema } from '../storage.ts';
import { basicAuthorization, type Influxdb1Credential } from './influxdb1-credential.ts';
import { parseV1Json } from './v1-json.ts';

/**
 * Why a call to the upstream failed: `unavailable` (not reachable, timed out, 5xx: a 503 for the
 * client, with the reason), `refused` (the upstream answered 4xx: our credential, or the request).
 * The message names the upstream by URL and never carries the credential.
 */
export class Influxdb1UpstreamError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'refused',
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'Influxdb1UpstreamError';
  }
}

/** One statement's result as InfluxDB 1.x sends it (`epoch=ns`: times are integers of nanoseconds). */
export interface V1StatementChunk {
  statement_id: number;
  error?: string;
  partial?: boolean;
  series?: Array<{
    name?: string;
    tags?: Record<string, string>;
    columns: string[];
    values?: unknown[][];
    partial?: boolean;
  }>;
}

/** fluxgate's write precisions as `/write?precision=` spells them. */
const V1_PRECISION: Readonly<Record<Exclude<Precision, 'auto'>, string>> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

export interface Influxdb1ClientOptions {
  url: string;
  credential: Influxdb1Credential;
  /** Bounds every call; a query's own signal can end it sooner. */
  timeoutMs: number;
}

/** The HTTP API of an InfluxDB 1.x upstream, called with fluxgate's one credential. */
export class Influxdb1Client {
  private readonly authorization: string;

  constructor(private readonly options: Influxdb1ClientOptions) {
    this.authorization = basicAuthorization(options.credential);
  }

  get url(): string {
    return this.options.url;
  }

  /** `/ping`: undefined when the upstream answers, else the reason it does not. */
  async unreachable(timeoutMs = this.options.timeoutMs): Promise<string | undefined> {
    try {
      const reply = await this.call('/ping', { method: 'GET' }, AbortSignal.timeout(timeoutMs));
      await reply.body?.cancel();
      return reply.status === 204 ? undefined : `${this.url} answered /ping with ${reply.status}`;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Line protocol as received, to `/write?db=&precision=` (the database's default retention policy). */
  async write(database: string, lines: string | Uint8Array, precision: Precision = 'ns'): Promise<void> {
    const params = new URLSearchParams({ db: database });
    if (precision !== 'auto') params.set('precision', V1_PRECISION[precision]);
    const reply = await this.call(`/write?${params}`, { method: 'POST', body: lines as BodyInit });
    if (reply.status === 204) {
      await reply.body?.cancel();
      return;
    }
    throw await this.failure(reply, 'write');
  }

  /**
   * Runs InfluxQL (already confined to `database`) with `epoch=ns`, chunked: yields each statement
   * chunk as it arrives, so a large result is never held whole. Closing the iterator ends the call.
   */
  async *query(
    database: string,
    text: string,
    options: { signal?: AbortSignal; chunkSize?: number } = {},
  ): AsyncGenerator<V1StatementChunk> {
    const body = new URLSearchParams({ q: text, db: database, epoch: 'ns', chunked: 'true' });
    if (options.chunkSize !== undefined) body.set('chunk_size', String(options.chunkSize));
    const controller = new AbortController();
    const reply = await this.call(
      '/query',
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      options.signal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.signal]),
    );
    if (reply.status !== 200) throw await this.failure(reply, 'query');
    const reader = reply.body!.getReader();
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line !== '') yield* chunkResults(line);
          newline = pending.indexOf('\n');
        }
        if (done) break;
      }
      if (pending.trim() !== '') yield* chunkResults(pending.trim());
    } catch (error) {
      if (error instanceof Influxdb1UpstreamError) throw error;
      // Stopped by its own signal (a client gone, a deadline, a shutdown): the reason, not an upstream fault.
      if (options.signal?.aborted) throw options.signal.reason;
      throw new Influxdb1UpstreamError('unavailable', `${this.url} broke off a query: ${(error as Error).message}`);
    } finally {
      controller.abort();
      reader.releaseLock();
    }
  }

  /** Runs statements whole and returns their results; a statement error throws as `refused`. */
  async statements(database: string, text: string): Promise<V1StatementChunk[]> {
    const merged = new Map<number, V1StatementChunk>();
    for await (const chunk of this.query(database, text)) {
      if (chunk.error !== undefined) {
        throw new Influxdb1UpstreamError('refused', `${this.url} refused ${firstWords(text)}: ${chunk.error}`);
      }
      const seen = merged.get(chunk.statement_id);
      if (seen === undefined) merged.set(chunk.statement_id, { ...chunk, series: [...(chunk.series ?? [])] });
      else seen.series!.push(...(chunk.series ?? []));
    }
    return [...merged.values()];
  }

  createDatabase(name: string): Promise<unknown> {
    return this.statements('', `CREATE DATABASE ${quoteIdent(name)}`);
  }

  dropDatabase(name: string): Promise<unknown> {
    return this.statements('', `DROP DATABASE ${quoteIdent(name)}`);
  }

  /** A database's measurements, tag keys and typed field keys, in byte order; none for an unknown database. */
  async schema(database: string): Promise<MeasurementSchema[]> {
    const on = quoteIdent(database);
    let results: V1StatementChunk[];
    try {
      results = await this.statements(
        database,
        `SHOW MEASUREMENTS ON ${on}; SHOW TAG KEYS ON ${on}; SHOW FIELD KEYS ON ${on}`,
      );
    } catch (error) {
      if (error instanceof Influxdb1UpstreamError && /database not found/.test(error.message)) return [];
      throw error;
    }
    const [measurements, tagKeys, fieldKeys] = [0, 1, 2].map((id) => results.find((r) => r.statement_id === id));
    const byName = new Map<string, MeasurementSchema>();
    for (const row of measurements?.series?.[0]?.values ?? []) {
      const name = String(row[0]);
      byName.set(name, { name, tags: [], fields: [] });
    }
    for (const series of tagKeys?.series ?? []) {
      const schema = byName.get(series.name ?? '');
      for (const row of series.values ?? []) schema?.tags.push(String(row[0]));
    }
    for (const series of fieldKeys?.series ?? []) {
      const schema = byName.get(series.name ?? '');
      for (const [name, type] of series.values ?? []) {
        schema?.fields.push({ name: String(name), type: FIELD_TYPES[String(type)] ?? 'string' });
      }
    }
    const list = [...byName.values()].sort((a, b) => byteOrder(a.name, b.name));
    for (const schema of list) {
      schema.tags.sort(byteOrder);
      schema.fields.sort((a, b) => byteOrder(a.name, b.name));
    }
    return list;
  }

  private async call(path: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      return await fetch(`${this.url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: this.authorization },
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = timeout.aborted
        ? `did not answer within ${this.options.timeoutMs} ms`
        : `is not reachable (${cause?.code ?? cause?.message ?? (error as Error).message})`;
      throw new Influxdb1UpstreamError('unavailable', `the InfluxDB 1.x upstream ${this.url} ${why}`);
    }
  }

  private async failure(reply: Response, what: string): Promise<Influxdb1UpstreamError> {
    const text = (await reply.text().catch(() => '')).slice(0, 2_000);
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {}
    const kind = reply.status >= 500 ? 'unavailable' : 'refused';
    const auth = reply.status === 401 || reply.status === 403 ? " (fluxgate's upstream credential was refused)" : '';
    return new Influxdb1UpstreamError(
      kind,
      `${this.url} answered the ${what} with ${reply.status}${auth}: ${message}`,
      reply.status,
    );
  }
}

const FIELD_TYPES: Readonly<Record<string, MeasurementSchema['fields'][number]['type']>> = {
  float: 'float',
  integer: 'integer',
  unsigned: 'uinteger',
  string: 'string',
  boolean: 'boolean',
};

function chunkResults(line: string): V1StatementChunk[] {
  const parsed = parseV1Json(line) as { results?: V1StatementChunk[]; error?: string };
  if (parsed.error !== undefined) throw new Influxdb1UpstreamError('refused', parsed.error);
  return parsed.results ?? [];
}

function firstWords(text: string): string {
  return text.split(/\s+/).slice(0, 2).join(' ');
}
