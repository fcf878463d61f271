import type { RecordBatch, Schema } from 'apache-arrow';
import { FluxgateError } from '../../domain/errors.ts';
import type { FlightData } from '../../flight/flight-messages.ts';
import type { QueryStream } from '../storage.ts';
import { ArrowIpcDecoder } from './arrow-ipc-decoder.ts';
import { resultColumns, rowsOf } from './arrow-rows.ts';
import { type FlightChannel, type FlightTicket, grpcStatus, isServiceError } from './flight-do-get.ts';

/** Rows per batch handed to the port's reader, as the embedded engine chunks them. */
const SLICE_ROWS = 2048;

/** The upstream has no database of this name (the caller may create it and ask again). */
export class NoUpstreamDatabase extends Error {}

/**
 * A Flight DoGet read as the port's QueryStream: the columns from the Arrow schema, then the rows
 * batch by batch as the upstream sends them (gRPC's flow control holds the upstream back while we
 * do not read). Aborting the signal or closing cancels the call, which stops the upstream's query.
 */
export async function openFlightStream(
  channel: FlightChannel,
  ticket: FlightTicket,
  options: { deadlineMs: number; signal?: AbortSignal; label: string; onClose: () => void },
): Promise<QueryStream> {
  const { signal, label } = options;
  const call = channel.doGet(ticket, options.deadlineMs);
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener('abort', onAbort);
    call.cancel();
    options.onClose();
  };
  const onAbort = () => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  const failure = (error: unknown): unknown => {
    if (signal?.aborted) return signal.reason;
    return translate(error, label, ticket.database);
  };
  const messages: AsyncIterator<FlightData> = call.messages[Symbol.asyncIterator]();
  const decoder = new ArrowIpcDecoder();
  /** The next record batch of the call, or undefined at its end. */
  const nextBatch = async (): Promise<RecordBatch | undefined> => {
    for (;;) {
      const step = await messages.next();
      if (step.done) return undefined;
      const batch = decoder.decode(step.value.dataHeader, step.value.dataBody);
      if (batch !== undefined) return batch;
    }
  };
  let schema: Schema | undefined;
  try {
    // The first message is the schema (a batch before it is refused by the decoder).
    while (schema === undefined) {
      if (signal?.aborted) throw signal.reason;
      const step = await messages.next();
      if (step.done) throw new FluxgateError('UPSTREAM_FAILED', `the query on ${label} ended without a schema`);
      decoder.decode(step.value.dataHeader, step.value.dataBody);
      schema = decoder.schema;
    }
  } catch (error) {
    finish();
    throw failure(error);
  }
  const pending: unknown[][][] = [];
  let ended = false;
  const columns = resultColumns(schema);
  return {
    columns,
    async next() {
      if (closed) return null;
      try {
        while (pending.length === 0) {
          if (signal?.aborted) throw signal.reason;
          const batch = ended ? undefined : await nextBatch();
          if (batch === undefined) {
            ended = true;
            finish();
            return null;
          }
          for (const slice of rowsOf(batch, SLICE_ROWS)) pending.push(slice);
        }
        return pending.shift() ?? null;
      } catch (error) {
        const reason = failure(error);
        finish();
        throw reason;
      }
    },
    async close() {
      finish();
    },
  };
}

/** Whether a not-found answer is about the database itself (not a table in it). */
export function namesMissingDatabase(message: string, database: string): boolean {
  return /database/i.test(message) && message.includes(database);
}

/** A query the upstream did not finish within the deadline the gateway gave it. */
export function pastQueryTimeout(label: string): FluxgateError {
  return new FluxgateError('UPSTREAM_UNAVAILABLE', `${label} did not finish the query in time (--query-timeout)`, {
    reason: 'deadline exceeded',
  });
}

/** A gRPC status from the upstream as the port's errors, naming the upstream, never the credential. */
function translate(error: unknown, label: string, database: string): unknown {
  if (!isServiceError(error)) return error;
  const details = error.details || error.message;
  switch (error.code) {
    case grpcStatus.UNAVAILABLE:
      return new FluxgateError('UPSTREAM_UNAVAILABLE', `${label} is unavailable: ${details}`, { reason: details });
    case grpcStatus.DEADLINE_EXCEEDED:
      return pastQueryTimeout(label);
    case grpcStatus.UNAUTHENTICATED:
    case grpcStatus.PERMISSION_DENIED:
      return new FluxgateError(
        'UPSTREAM_FAILED',
        `${label} refused the gateway credential (check --upstream-token-file)`,
      );
    case grpcStatus.NOT_FOUND:
      if (namesMissingDatabase(details, database)) return new NoUpstreamDatabase(details);
      return new FluxgateError('QUERY_FAILED', details);
    case grpcStatus.INVALID_ARGUMENT:
    case grpcStatus.FAILED_PRECONDITION:
    case grpcStatus.OUT_OF_RANGE:
    case grpcStatus.RESOURCE_EXHAUSTED:
      return new FluxgateError('QUERY_FAILED', details);
    default:
      return new FluxgateError('UPSTREAM_FAILED', `the query on ${label} failed: ${details}`);
  }
}
