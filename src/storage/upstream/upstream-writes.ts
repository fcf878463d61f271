import { FluxgateError } from '../../domain/errors.ts';
import type { LineError, ParsedLine, Precision } from '../lineprotocol/types.ts';
import type { WriteOutcome } from '../storage.ts';
import { lineProtocolText } from './line-protocol-text.ts';
import { messageOf, type UpstreamAnswer, type UpstreamHttp } from './upstream-http.ts';

interface RejectedLine {
  line_number?: unknown;
  error_message?: unknown;
  original_line?: unknown;
}

/**
 * Forwards points to `/api/v3/write_lp`, keeping accept_partial and no_sync: the
 * upstream's refused lines come back with their line numbers mapped to the client's. Answers 404 when
 * the upstream has no such database (the caller creates it and retries).
 */
export type UpstreamBatch =
  /** Points re-encoded by us, one line each (their numbers map back through `points`). */
  | { kind: 'points'; points: readonly ParsedLine[]; defaultTimeNs: bigint }
  /** The client's own body, every line of which parsed: sent as is, line numbers unchanged. */
  | { kind: 'source'; body: Buffer; precision: Precision; pointCount: number };

const PRECISION_NAMES: Record<Precision, string> = {
  ns: 'nanosecond',
  us: 'microsecond',
  ms: 'millisecond',
  s: 'second',
  auto: 'auto',
};

export async function writeUpstream(
  http: UpstreamHttp,
  database: string,
  batch: UpstreamBatch,
  flags: { atomic: boolean; noSync: boolean },
  timeoutMs: number,
): Promise<WriteOutcome | 'no-database'> {
  const { atomic } = flags;
  const source = batch.kind === 'source';
  const answer = await http.call({
    method: 'POST',
    path: '/api/v3/write_lp',
    query: {
      db: database,
      precision: source ? PRECISION_NAMES[batch.precision] : 'nanosecond',
      accept_partial: atomic ? 'false' : 'true',
      ...(flags.noSync ? { no_sync: 'true' } : {}),
    },
    body: source ? batch.body : lineProtocolText(batch.points, batch.defaultTimeNs),
    contentType: 'text/plain; charset=utf-8',
    timeoutMs,
  });
  const count = source ? batch.pointCount : batch.points.length;
  if (answer.status === 204 || answer.status === 200) return { written: count, rejected: [] };
  if (answer.status === 404) return 'no-database';
  if (answer.status === 400 || answer.status === 422) {
    const rejected = rejectedLines(answer, source ? undefined : batch.points);
    if (rejected !== undefined) {
      return { written: atomic ? 0 : Math.max(0, count - rejected.length), rejected };
    }
    // The client's own bytes refused as a whole, with no line named: the client's error, in the upstream's words.
    if (source && answer.status === 400) {
      throw new FluxgateError('LINE_PROTOCOL_INVALID', `${http.label} refused the write: ${messageOf(answer.text)}`);
    }
  }
  throw http.failed(answer, `writing to '${database}'`);
}

/**
 * The upstream's per-line errors, renumbered to the client's lines (through `points` when we
 * re-encoded them); undefined when the body has none.
 */
function rejectedLines(answer: UpstreamAnswer, points: readonly ParsedLine[] | undefined): LineError[] | undefined {
  let body: { data?: unknown };
  try {
    body = JSON.parse(answer.text) as { data?: unknown };
    if (!isObject(body)) return undefined;
  } catch {
    return undefined;
  }
  // InfluxDB 3 lists the refused lines; some versions send the first one alone as an object.
  const entries = Array.isArray(body.data) ? body.data : isObject(body.data) ? [body.data] : [];
  if (entries.length === 0) return undefined;
  const errors: LineError[] = [];
  for (const entry of entries as RejectedLine[]) {
    const number = typeof entry.line_number === 'number' ? entry.line_number : undefined;
    const sent = number === undefined ? undefined : points === undefined ? number : points[number - 1]?.lineNumber;
    if (sent === undefined) {
      throw new FluxgateError(
        'UPSTREAM_FAILED',
        `the upstream refused a line it was not sent: ${messageOf(answer.text)}`,
      );
    }
    errors.push({
      lineNumber: sent,
      originalLine: typeof entry.original_line === 'string' ? entry.original_line : '',
      message: typeof entry.error_message === 'string' ? entry.error_message : 'refused by the upstream',
    });
  }
  return errors.sort((a, b) => a.lineNumber - b.lineNumber);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
