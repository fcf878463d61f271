import { FluxgateError } from '../../domain/errors.ts';
import { WholeLines } from '../json-lines.ts';
import type { JsonLinesStream } from '../storage.ts';
import { NoUpstreamDatabase, namesMissingDatabase, pastQueryTimeout } from './flight-query-stream.ts';
import { messageOf, type UpstreamHttp } from './upstream-http.ts';

export interface JsonLinesQuery {
  database: string;
  sql: string;
  params?: Record<string, unknown>;
}

/**
 * One query as the upstream's own `/api/v3/query_sql?format=jsonl`, read as it arrives in runs of
 * whole lines (the socket's backpressure holds the upstream back while we do not read). The deadline
 * covers the whole answer; aborting the signal or closing ends the call, which stops the query there.
 */
export async function openJsonLinesQuery(
  http: UpstreamHttp,
  query: JsonLinesQuery,
  options: { deadlineMs: number; signal?: AbortSignal; onClose: () => void },
): Promise<JsonLinesStream> {
  const body = { db: query.database, q: query.sql, format: 'jsonl', ...(query.params ? { params: query.params } : {}) };
  const answer = await http.open({
    method: 'POST',
    path: '/api/v3/query_sql',
    body: JSON.stringify(body),
    contentType: 'application/json',
    timeoutMs: options.deadlineMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    pastTimeout: () => pastQueryTimeout(http.label),
  });
  if (answer.status !== 200) throw refusal(http, answer.status, await http.text(answer), query.database);
  const pieces = answer.body[Symbol.asyncIterator]();
  const lines = new WholeLines();
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    answer.body.destroy();
    options.onClose();
  };
  return {
    encoding: 'jsonl',
    async next() {
      if (closed) return null;
      try {
        for (;;) {
          const step = await pieces.next();
          if (step.done) {
            const rest = lines.end();
            finish();
            return rest ?? null;
          }
          const whole = lines.push(step.value);
          if (whole !== undefined) return whole;
        }
      } catch (error) {
        finish();
        throw answer.failure(error);
      }
    },
    async close() {
      finish();
    },
  };
}

/** An upstream's refusal as the port's errors, as the Flight path gives them for the same statuses. */
function refusal(http: UpstreamHttp, status: number, text: string, database: string): unknown {
  const message = messageOf(text);
  if (status === 404 && namesMissingDatabase(message, database)) return new NoUpstreamDatabase(message);
  if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
    return new FluxgateError('QUERY_FAILED', message);
  }
  return http.failed({ status, text }, 'the query');
}
