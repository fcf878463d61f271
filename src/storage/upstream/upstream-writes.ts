import { FluxgateError } from '../../domain/errors.ts';
import type { LineError, ParsedLine } from '../lineprotocol/types.ts';
import type { WriteOutcome } from '../storage.ts';
import { lineProtocolText } from './line-protocol-text.ts';
import { messageOf, type UpstreamAnswer, type UpstreamHttp } from './upstream-http.ts';

interface RejectedLine {
  line_number?: unknown;
  error_message?: unknown;
  original_line?: unknown;
}

/**
 * Forwards points to `/api/v3/write_lp` as nanosecond line protocol, keeping accept_partial: the
 * upstream's refused lines come back with their line numbers mapped to the client's. Answers 404 when
 * the upstream has no such database (the caller creates it and retries).
 */
export async function writeUpstream(
  http: UpstreamHttp,
  database: string,
  points: readonly ParsedLine[],
  defaultTimeNs: bigint,
  atomic: boolean,
  timeoutMs: number,
): Promise<WriteOutcome | 'no-database'> {
  const answer = await http.call({
    method: 'POST',
    path: '/api/v3/write_lp',
    query: { db: database, precision: 'nanosecond', accept_partial: atomic ? 'false' : 'true' },
    body: lineProtocolText(points, defaultTimeNs),
    contentType: 'text/plain; charset=utf-8',
    timeoutMs,
  });
  if (answer.status === 204 || answer.status === 200) return { written: points.length, rejected: [] };
  if (answer.status === 404) return 'no-database';
  if (answer.status === 400 || answer.status === 422) {
    const rejected = rejectedLines(answer, points);
    if (rejected !== undefined) {
      return { written: atomic ? 0 : points.length - rejected.length, rejected };
    }
  }
  throw http.failed(answer, `writing to '${database}'`);
}

/** The upstream's per-line errors, renumbered to the client's lines; undefined when the body has none. */
function rejectedLines(answer: UpstreamAnswer, points: readonly ParsedLine[]): LineError[] | undefined {
  let body: { data?: unknown };
  try {
    body = JSON.parse(answer.text) as { data?: unknown };
  } catch {
    return undefined;
  }
  if (!Array.isArray(body.data) || body.data.length === 0) return undefined;
  const errors: LineError[] = [];
  for (const entry of body.data as RejectedLine[]) {
    const sent = typeof entry.line_number === 'number' ? points[entry.line_number - 1] : undefined;
    if (sent === undefined) {
      throw new FluxgateError(
        'UPSTREAM_FAILED',
        `the upstream refused a line it was not sent: ${messageOf(answer.text)}`,
      );
    }
    errors.push({
      lineNumber: sent.lineNumber,
      originalLine: typeof entry.original_line === 'string' ? entry.original_line : '',
      message: typeof entry.error_message === 'string' ? entry.error_message : 'refused by the upstream',
    });
  }
  return errors.sort((a, b) => a.lineNumber - b.lineNumber);
}
