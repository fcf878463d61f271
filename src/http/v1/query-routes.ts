import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail, isFluxgateError } from '../../domain/errors.ts';
import type { StatementResult } from '../../influxql/result.ts';
import { type InfluxqlRun, type InfluxqlService, statementErrorOf } from '../../services/influxql-service.ts';
import { SERVER_VERSION } from '../system-routes.ts';
import { parseQueryParams } from '../v3/query-params.ts';
import { clientGone, sendHeldBack } from '../v3/result-writer.ts';
import {
  type Epoch,
  parseEpoch,
  type V1Writer,
  v1ChunkWriter,
  v1CsvWriter,
  v1Json,
  v1JsonWriter,
} from './v1-results.ts';

const DEFAULT_CHUNK_SIZE = 10_000;

type Params = Record<string, string | undefined>;

/**
 * `GET|POST /query`, InfluxDB 1.x's query endpoint, for InfluxQL. Parameters come from the URL and,
 * on POST, from a form body (which wins) or a raw `application/vnd.influxql` body holding the query.
 * Statement errors are 200 with `error` in the statement's result; a refusal fails the request.
 */
export function registerV1QueryRoutes(app: FastifyInstance, influxql: InfluxqlService): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      ['application/vnd.influxql', 'text/plain'],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );
    for (const method of ['GET', 'POST'] as const) {
      scope.route({
        method,
        url: '/query',
        config: { family: 'v1', v1Password: true },
        handler: (request, reply) => answer(request, reply, influxql),
      });
    }
  });
}

async function answer(request: FastifyRequest, reply: FastifyReply, influxql: InfluxqlService) {
  reply.header('X-Influxdb-Version', SERVER_VERSION).header('X-Influxdb-Build', 'fluxgate');
  const params = requestParams(request);
  const format = responseFormat(request.headers.accept);
  const epoch = parseEpoch(params.epoch);
  if (epoch === 'invalid') {
    fail('INVALID_INPUT', `epoch '${params.epoch}' is not one of ns, u, µ, ms, s, m, h`, { field: 'epoch' });
  }
  const chunked = flag(params.chunked, 'chunked');
  const chunkSize = chunkSizeOf(params.chunk_size);
  if (params.q === undefined || params.q.trim() === '') {
    if (request.method === 'GET' && Object.keys(request.query as object).length === 0) {
      fail('INVALID_INPUT', "missing query parameters 'db' and 'q'", { field: 'q' });
    }
    fail('INVALID_INPUT', 'expected a query to be provided in the query string or body', { field: 'q' });
  }
  const signal = clientGone(request, reply);
  if (format === 'json' && !chunked && flag(params.pretty, 'pretty')) {
    // Indented JSON is written whole (within the result cap); compact, chunked and CSV stream.
    const results = await wholeStatements(influxql, request, params, signal);
    return reply
      .code(200)
      .type('application/json')
      .send(v1Json(results, epoch, true));
  }
  const writer =
    format === 'csv' ? v1CsvWriter(epoch) : chunked ? v1ChunkWriter(epoch, chunkSize) : v1JsonWriter(epoch);
  const opened = await openRun(influxql, request, params, signal);
  const run = 'run' in opened ? opened.run : undefined;
  let sent = false;
  let firstError: string | undefined;
  const texts = run === undefined ? parseErrorText(writer, opened.parseError) : v1Text(run, writer, () => sent);
  const pieces = async function* (): AsyncGenerator<Uint8Array> {
    for await (const piece of texts) {
      if (piece.error !== undefined) firstError ??= piece.error;
      if (piece.text !== '') yield Buffer.from(piece.text, 'utf8');
    }
  };
  const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
  if (run !== undefined) stopOnDeadline(run.signal, reply);
  return sendHeldBack(
    reply,
    pieces(),
    type,
    () => run?.close(),
    () => {
      sent = true;
      if (format === 'csv' && firstError !== undefined) reply.header('X-Influxdb-Error', headerSafe(firstError));
    },
  );
}

/** Text to send next, and the statement error it wrote (for CSV's X-Influxdb-Error header). */
interface Piece {
  text: string;
  error?: string;
}

/**
 * The statements as they run, through the writer. A statement's failure is its error in its result;
 * a failure of the whole request (the cap, a fault) before anything was sent throws (answered with
 * its status), after it ends the statement being written with that error and stops.
 */
async function* v1Text(run: InfluxqlRun, writer: V1Writer, sent: () => boolean): AsyncGenerator<Piece> {
  yield { text: writer.begin() };
  for await (const statement of run.statements()) {
    const zone = statement.parts === undefined ? statement.result.timezone : statement.timezone;
    yield { text: writer.statement(statement.index, zone) };
    if (statement.parts === undefined) {
      const { result } = statement;
      if (result.error === undefined) {
        for (const series of result.series) yield { text: writer.part({ ...series, continues: false }) };
      }
      yield { text: writer.endStatement(result.error), ...(result.error === undefined ? {} : { error: result.error }) };
      continue;
    }
    let error: string | undefined;
    let stop = false;
    try {
      for await (const part of run.metered(statement.parts, false)) {
        const text = writer.part(part);
        run.spend(text.length);
        yield { text };
      }
    } catch (failure) {
      const result = statementErrorOf(failure);
      if (result !== undefined) error = result.error;
      else if (!sent()) throw failure;
      else {
        error = isFluxgateError(failure) ? failure.message : 'the query failed on the server; see the server log';
        stop = true;
      }
    }
    yield { text: writer.endStatement(error), ...(error === undefined ? {} : { error }) };
    if (stop) break;
  }
  yield { text: writer.end() };
}

/** A query that does not parse is the error of statement 0, as InfluxDB answers it. */
async function* parseErrorText(writer: V1Writer, error = 'error parsing query'): AsyncGenerator<Piece> {
  yield { text: writer.begin() + writer.statement(0, undefined) + writer.endStatement(error) + writer.end(), error };
}

/**
 * A deadline that passes while the client does not read (nothing is pulled, so nothing notices):
 * after a moment for the in-band error, the connection is closed.
 */
function stopOnDeadline(signal: AbortSignal, reply: FastifyReply): void {
  const stop = () => {
    setTimeout(() => {
      if (!reply.raw.writableFinished) reply.raw.destroy();
    }, 1000).unref();
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
}

/** Opens the statements, or says why the query does not parse. */
async function openRun(
  influxql: InfluxqlService,
  request: FastifyRequest,
  params: Params,
  signal: AbortSignal,
): Promise<{ run: InfluxqlRun; parseError?: undefined } | { parseError: string }> {
  try {
    const run = await influxql.open(request.principal, {
      database: params.db ?? '',
      query: params.q ?? '',
      signal,
      ...optionalParams(params.params),
    });
    return { run };
  } catch (error) {
    if (isFluxgateError(error) && error.code === 'INFLUXQL_INVALID') return { parseError: error.message };
    throw error;
  }
}

/** Runs the statements whole; a query that does not parse is the error of statement 0, as InfluxDB answers it. */
async function wholeStatements(
  influxql: InfluxqlService,
  request: FastifyRequest,
  params: Params,
  signal: AbortSignal,
): Promise<StatementResult[]> {
  try {
    return await influxql.query(request.principal, {
      database: params.db ?? '',
      query: params.q ?? '',
      signal,
      ...optionalParams(params.params),
    });
  } catch (error) {
    if (isFluxgateError(error) && error.code === 'INFLUXQL_INVALID') return [{ series: [], error: error.message }];
    throw error;
  }
}

function optionalParams(text: string | undefined): { params?: Record<string, unknown> } {
  const params = parseQueryParams(text);
  return params === undefined ? {} : { params };
}

/** URL parameters, overridden by a form or JSON body; a raw body is the query when `q` is absent. */
function requestParams(request: FastifyRequest): Params {
  // No prototype: a parameter named `__proto__` or `constructor` is a parameter like any other.
  const params: Params = Object.create(null);
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    params[key] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  const body = request.body;
  if (typeof body === 'string') {
    if (params.q === undefined && body.trim() !== '') params.q = body;
  } else if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (value === undefined || value === null) continue;
      params[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return params;
}

/** JSON unless the client asks for CSV; a client that accepts neither is told so. */
function responseFormat(accept: string | undefined): 'json' | 'csv' {
  if (accept === undefined || accept.trim() === '') return 'json';
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/csv' || type === 'text/csv') return 'csv';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  }
  fail('INVALID_INPUT', `cannot answer Accept: ${accept}; /query answers application/json or application/csv`, {
    field: 'Accept',
  });
}

function flag(value: string | undefined, field: string): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  fail('INVALID_INPUT', `the parameter '${field}' must be true or false, not '${value}'`, { field });
}

function chunkSizeOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_CHUNK_SIZE;
  const size = Number(value);
  if (!Number.isSafeInteger(size) || size < 1) {
    fail('INVALID_INPUT', `chunk_size must be a positive integer, not '${value}'`, { field: 'chunk_size' });
  }
  return size;
}

function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

export type { Epoch };
