import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../domain/errors.ts';
import type { QueryService } from '../../services/query-service.ts';
import { isJsonFormat, QUERY_FORMATS, type QueryFormat } from './query-formats.ts';
import { parseQueryParams } from './query-params.ts';
import { clientGone, sendResult } from './result-writer.ts';

interface QueryInput {
  db?: string;
  q?: string;
  format?: string;
  params?: unknown;
}

/**
 * `GET|POST /api/v3/query_sql`: one SQL statement over one database, in five output formats,
 * streamed batch by batch; the query stops when the client leaves.
 */
export function registerQueryRoutes(app: FastifyInstance, queries: QueryService): void {
  const run = async (input: QueryInput, request: FastifyRequest, reply: FastifyReply) => {
    const format = queryFormat(input.format);
    const query = {
      database: input.db ?? '',
      sql: input.q ?? '',
      params: parseQueryParams(input.params),
      signal: clientGone(request, reply),
    };
    const answer = await (isJsonFormat(format)
      ? queries.openForJson(request.principal, query)
      : queries.open(request.principal, query));
    return sendResult(reply, answer, format, (source) => queries.parquet(source));
  };

  app.get<{ Querystring: QueryInput }>(
    '/api/v3/query_sql',
    {
      schema: { querystring: queryInputSchema({ type: 'string' }) },
    },
    (request, reply) => run(request.query, request, reply),
  );

  app.post<{ Body: QueryInput }>(
    '/api/v3/query_sql',
    {
      schema: { body: queryInputSchema({ type: ['object', 'string', 'null'] }) },
    },
    (request, reply) => run(request.body ?? {}, request, reply),
  );
}

/** The fields both forms take; only how `params` may come differs (a query string holds only text). */
function queryInputSchema(params: { type: string | string[] }) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { db: { type: 'string' }, q: { type: 'string' }, format: { type: 'string' }, params },
  };
}

function queryFormat(value: string | undefined): QueryFormat {
  const format = value ?? 'json';
  if (!(QUERY_FORMATS as readonly string[]).includes(format)) {
    fail('INVALID_INPUT', `format '${format}' is not one of ${QUERY_FORMATS.join(', ')}`, { field: 'format' });
  }
  return format as QueryFormat;
}
