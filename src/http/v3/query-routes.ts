import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail } from '../../domain/errors.ts';
import type { QueryService } from '../../services/query-service.ts';
import type { Storage } from '../../storage/storage.ts';
import {
  CONTENT_TYPES,
  QUERY_FORMATS,
  type QueryFormat,
  toCsv,
  toJson,
  toJsonLines,
  toPretty,
} from './query-formats.ts';
import { parseQueryParams } from './query-params.ts';

interface QueryInput {
  db?: string;
  q?: string;
  format?: string;
  params?: unknown;
}

/** `GET|POST /api/v3/query_sql`: one SQL statement over one database, in five output formats. */
export function registerQueryRoutes(app: FastifyInstance, queries: QueryService, storage: Storage): void {
  const run = async (input: QueryInput, principal: Parameters<QueryService['query']>[0], reply: FastifyReply) => {
    const format = queryFormat(input.format);
    const result = await queries.query(principal, {
      database: input.db ?? '',
      sql: input.q ?? '',
      params: parseQueryParams(input.params),
    });
    reply.code(200).type(CONTENT_TYPES[format]);
    switch (format) {
      case 'json':
        return toJson(result);
      case 'jsonl':
        return toJsonLines(result);
      case 'csv':
        return toCsv(result);
      case 'pretty':
        return toPretty(result);
      case 'parquet':
        return Buffer.from(await storage.toParquet(result));
    }
  };

  app.get<{ Querystring: QueryInput }>(
    '/api/v3/query_sql',
    {
      schema: { querystring: queryInputSchema({ type: 'string' }) },
    },
    (request, reply) => run(request.query, request.principal, reply),
  );

  app.post<{ Body: QueryInput }>(
    '/api/v3/query_sql',
    {
      schema: { body: queryInputSchema({ type: ['object', 'string', 'null'] }) },
    },
    (request, reply) => run(request.body ?? {}, request.principal, reply),
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
