import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail, isFluxgateError } from '../../domain/errors.ts';
import type { StatementResult } from '../../influxql/result.ts';
import type { InfluxqlService } from '../../services/influxql-service.ts';
import { SERVER_VERSION } from '../system-routes.ts';
import { parseQueryParams } from '../v3/query-params.ts';
import { clientGone } from '../v3/result-writer.ts';
import { type Epoch, parseEpoch, v1Chunks, v1Csv, v1Json } from './v1-results.ts';

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
  const results = await statements(influxql, request, params, clientGone(request, reply));
  const firstError = results.find((result) => result.error !== undefined)?.error;
  if (format === 'csv') {
    if (firstError !== undefined) reply.header('X-Influxdb-Error', headerSafe(firstError));
    return reply.code(200).type('text/csv; charset=utf-8').send(v1Csv(results, epoch));
  }
  reply.code(200).type('application/json');
  if (chunked) return reply.send(Readable.from(encoded(v1Chunks(results, epoch, chunkSize))));
  return reply.send(v1Json(results, epoch, flag(params.pretty, 'pretty')));
}

/** Runs the statements; a query that does not parse is the error of statement 0, as InfluxDB answers it. */
async function statements(
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

/** The chunks as bytes, sent one by one with the socket's backpressure instead of joined. */
function* encoded(chunks: Iterable<string>): Generator<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk, 'utf8');
}

function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

export type { Epoch };
