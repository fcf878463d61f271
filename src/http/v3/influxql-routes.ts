import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal.ts';
import { fail } from '../../domain/errors.ts';
import { formatRfc3339 } from '../../influxql/time-literals.ts';
import type { InfluxqlService } from '../../services/influxql-service.ts';
import type { QueryAnswer } from '../../services/query-answer.ts';
import type { QueryService, ResultSource } from '../../services/query-service.ts';
import { QUERY_FORMATS, type QueryFormat } from './query-formats.ts';
import { parseQueryParams } from './query-params.ts';
import { clientGone, sendResult } from './result-writer.ts';

interface InfluxqlInput {
  db?: string;
  q?: string;
  format?: string;
  params?: unknown;
}

/** Rows per batch the formats encode, as query_sql's engine chunks (pretty sizes its columns from the first). */
const FLAT_BATCH_ROWS = 2048;

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
    const { answer, columns, timezone } = await influxql.openFlat(
      principal,
      { database: input.db ?? '', query: input.q ?? '', signal, ...(params === undefined ? {} : { params }) },
      FLAT_BATCH_ROWS,
    );
    const times = columns.flatMap((column, i) => (column.type === 'time' ? [i] : []));
    const source = withRfc3339Times(answer, times, timezone);
    return sendResult(reply, source, format, (rows) => queries.parquet(rows));
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

/** The answer with its time columns as RFC3339 text in the statement's zone, as InfluxDB 3 writes them. */
function withRfc3339Times(
  answer: QueryAnswer,
  times: readonly number[],
  timezone: string | undefined,
): ResultSource & { close(): Promise<void> } {
  return {
    get columns() {
      return answer.columns;
    },
    signal: answer.signal,
    get truncated() {
      return answer.truncated;
    },
    batches: async function* () {
      for await (const batch of answer.batches()) {
        for (const row of batch) for (const i of times) row[i] = formatRfc3339(row[i] as bigint, timezone);
        yield batch;
      }
    },
    spend: (bytes) => answer.spend(bytes),
    tooLarge: () => answer.tooLarge(),
    close: () => answer.close(),
  };
}
