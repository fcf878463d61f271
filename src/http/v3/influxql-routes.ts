import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import { FluxgateError, fail } from '../../domain/errors.ts';
import { flatten } from '../../influxql/flat-table.ts';
import type { ColumnType } from '../../influxql/result.ts';
import { formatRfc3339 } from '../../influxql/time-literals.ts';
import type { InfluxqlService } from '../../services/influxql-service.ts';
import type { QueryService } from '../../services/query-service.ts';
import type { QueryResult } from '../../storage/storage.ts';
import { QUERY_FORMATS, type QueryFormat } from './query-formats.ts';
import { parseQueryParams } from './query-params.ts';
import { clientGone, sendResult } from './result-writer.ts';

interface InfluxqlInput {
  db?: string;
  q?: string;
  format?: string;
  params?: unknown;
}

const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  time: 'TIMESTAMP_NS',
  tag: 'VARCHAR',
  string: 'VARCHAR',
  float: 'DOUBLE',
  integer: 'BIGINT',
  uinteger: 'UBIGINT',
  boolean: 'BOOLEAN',
  unknown: 'VARCHAR',
};

const ACCEPTED: ReadonlyArray<[string, QueryFormat]> = [
  ['application/json', 'json'],
  ['application/jsonl', 'jsonl'],
  ['text/csv', 'csv'],
  ['text/plain', 'pretty'],
  ['application/vnd.apache.parquet', 'parquet'],
];

/**
 * `GET|POST /api/v3/query_influxql`: one InfluxQL statement, answered as InfluxDB 3 Core does in
 * flat rows with `iox::measurement`, in the five formats of `query_sql`.
 */
export function registerInfluxqlRoutes(app: FastifyInstance, influxql: InfluxqlService, queries: QueryService): void {
  const run = async (input: InfluxqlInput, request: FastifyRequest, reply: FastifyReply) => {
    const format = formatOf(input.format, request.headers.accept);
    const params = parseQueryParams(input.params);
    const signal = clientGone(request, reply);
    const principal: Principal = request.principal;
    const [result] = await influxql.query(principal, {
      database: input.db ?? '',
      query: input.q ?? '',
      singleStatement: true,
      signal,
      ...(params === undefined ? {} : { params }),
    });
    if (result?.error !== undefined) throw new FluxgateError(result.errorCode ?? 'QUERY_FAILED', result.error);
    const table = flatten(result!);
    const rows: QueryResult = {
      columns: table.columns.map((column) => ({ name: column.name, sqlType: SQL_TYPES[column.type] })),
      rows: table.rows.map((row) =>
        row.map((value, i) =>
          table.columns[i]!.type === 'time' ? formatRfc3339(value as bigint, result!.timezone) : value,
        ),
      ),
    };
    return sendResult(reply, influxql.answerOf(rows, signal), format, (source) => queries.parquet(source));
  };
  const fields = (params: { type: string | string[] }) => ({
    type: 'object',
    additionalProperties: false,
    properties: { db: { type: 'string' }, q: { type: 'string' }, format: { type: 'string' }, params },
  });
  app.get<{ Querystring: InfluxqlInput }>(
    '/api/v3/query_influxql',
    { schema: { querystring: fields({ type: 'string' }) } },
    (request, reply) => run(request.query, request, reply),
  );
  app.post<{ Body: InfluxqlInput }>(
    '/api/v3/query_influxql',
    { schema: { body: fields({ type: ['object', 'string', 'null'] }) } },
    (request, reply) => run(request.body ?? {}, request, reply),
  );
}

function formatOf(value: string | undefined, accept: string | undefined): QueryFormat {
  if (value !== undefined) {
    if (!(QUERY_FORMATS as readonly string[]).includes(value)) {
      fail('INVALID_INPUT', `format '${value}' is not one of ${QUERY_FORMATS.join(', ')}`, { field: 'format' });
    }
    return value as QueryFormat;
  }
  const wanted = (accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  for (const type of wanted) {
    const match = ACCEPTED.find(([mime]) => mime === type);
    if (match !== undefined) return match[1];
  }
  return 'json';
}
