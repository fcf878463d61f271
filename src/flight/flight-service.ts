import { once } from 'node:events';
import {
  type Metadata,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.ts';
import { extractCredential } from '../auth/credentials.ts';
import { type Principal, systemPrincipal } from '../auth/principal.ts';
import { type ErrorCode, FluxgateError, isFluxgateError } from '../domain/errors.ts';
import type { InfluxqlService } from '../services/influxql-service.ts';
import type { QueryAnswer } from '../services/query-answer.ts';
import type { QueryService } from '../services/query-service.ts';
import {
  type ArrowColumn,
  encapsulatedSchema,
  flightBatchesOf,
  MAX_BATCH_ROWS,
  resultSchema,
} from './arrow-batches.ts';
import {
  decodeAny,
  decodeFlightDescriptor,
  decodeHandshake,
  decodeTicket,
  encodeAny,
  encodeFlightData,
  encodeFlightInfo,
  encodeHandshake,
  encodeSchemaResult,
  encodeTicketStatementQuery,
  FLIGHT_SQL,
  type FlightData,
  statementQueryOf,
} from './flight-messages.ts';
import { type FlightQuery, headerDatabase, type MetadataReader, readTicket } from './flight-tickets.ts';
import { flatColumns, sqlColumns } from './result-columns.ts';

export interface FlightDeps {
  authenticator: Authenticator;
  authEnabled: boolean;
  queries: QueryService;
  influxql: InfluxqlService;
  logger: Logger;
}

const SERVICE = '/arrow.flight.protocol.FlightService/';
const raw = (value: Buffer) => value;

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `${SERVICE}${name}`,
    requestStream,
    responseStream,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  };
}

/** The Flight methods fluxgate answers; the others are UNIMPLEMENTED, as grpc-js answers unknown methods. */
export const FLIGHT_SERVICE = {
  Handshake: method('Handshake', true, true),
  DoGet: method('DoGet', false, true),
  GetFlightInfo: method('GetFlightInfo', false, false),
  GetSchema: method('GetSchema', false, false),
} as unknown as ServiceDefinition;

const STATUS_OF: Partial<Record<ErrorCode, status>> = {
  CREDENTIAL_MISSING: status.UNAUTHENTICATED,
  MALFORMED_CREDENTIAL: status.UNAUTHENTICATED,
  TOKEN_MALFORMED: status.UNAUTHENTICATED,
  TOKEN_UNKNOWN: status.UNAUTHENTICATED,
  TOKEN_EXPIRED: status.UNAUTHENTICATED,
  TOKEN_REVOKED: status.UNAUTHENTICATED,
  AUTH_THROTTLED: status.RESOURCE_EXHAUSTED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  DATABASE_NOT_FOUND: status.NOT_FOUND,
  QUERY_RESULT_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  STORAGE_CAPABILITY_ABSENT: status.UNIMPLEMENTED,
  UPSTREAM_UNAVAILABLE: status.UNAVAILABLE,
};

/**
 * The Flight face: reads tickets and gRPC metadata, asks the query services (which authorize), and
 * writes the answer as Arrow record batches under the message limit, waiting for the client when it
 * reads slower than we write. Errors become gRPC statuses with the service's reason.
 */
export function flightHandlers(deps: FlightDeps): UntypedServiceImplementation {
  const principalOf = (metadata: Metadata, peer: string): Principal | Promise<Principal> => {
    if (!deps.authEnabled) return systemPrincipal('auth-disabled', peer);
    const authorization = first(metadata, 'authorization');
    return deps.authenticator.authenticate(extractCredential(authorization), peer);
  };
  const fail = (error: unknown) => grpcError(error, deps.logger);

  return {
    Handshake(call: ServerDuplexStream<Buffer, Buffer>) {
      // As InfluxDB 3: nothing is checked here; JDBC clients want the password of a Basic pair back as a bearer token.
      const basic = extractCredential(first(call.metadata, 'authorization'));
      if (basic.kind === 'token')
        call.sendMetadata(metadataWith('authorization', `Bearer ${basic.token}`, call.metadata));
      call.on('data', (bytes: Buffer) => {
        const request = decodeHandshake(bytes);
        call.write(encodeHandshake({ protocolVersion: request.protocolVersion, payload: request.payload }));
      });
      call.on('end', () => call.end());
      call.on('error', () => {});
    },

    async DoGet(call: ServerWritableStream<Buffer, Buffer>) {
      // A client that cancels or goes away stops its query.
      const gone = new AbortController();
      // grpc-js also emits 'cancelled' after the status of every call it ended well: the listener
      // goes with the call, or each call would abort (a DOMException, the query's listeners) after the fact.
      const cancel = () => gone.abort();
      call.once('cancelled', cancel);
      // `deadline`: the answer's own signal, so a client that stops reading cannot hold the query past --query-timeout.
      const send = async (data: FlightData, deadline?: AbortSignal): Promise<number> => {
        const bytes = encodeFlightData(data);
        if (!call.write(bytes)) {
          const signal = deadline === undefined ? gone.signal : AbortSignal.any([gone.signal, deadline]);
          await once(call, 'drain', { signal }).catch((error: unknown) => {
            throw deadline?.aborted ? deadline.reason : error;
          });
        }
        return bytes.byteLength;
      };
      try {
        const principal = await principalOf(call.metadata, peerOf(call.getPeer()));
        const query = readTicket(decodeTicket(call.request), reader(call.metadata));
        if (query.language === 'influxql') {
          if (!(await streamInfluxql(deps, principal, query, gone.signal, send, () => call.cancelled))) return;
        } else if (!(await streamSql(deps, principal, query, gone.signal, send, () => call.cancelled))) {
          return;
        }
        call.end();
      } catch (error) {
        if (!call.cancelled) call.emit('error', fail(error));
      } finally {
        call.off('cancelled', cancel);
      }
    },

    async GetFlightInfo(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      try {
        const principal = await principalOf(call.metadata, peerOf(call.getPeer()));
        const descriptor = decodeFlightDescriptor(call.request);
        const query = statementOf(descriptor.cmd, reader(call.metadata));
        const columns = await describe(deps, principal, query);
        const handle = Buffer.from(
          JSON.stringify({ database: query.database, sql_query: query.query, query_type: 'sql' }),
        );
        const ticket = encodeAny({
          typeUrl: `${FLIGHT_SQL}TicketStatementQuery`,
          value: encodeTicketStatementQuery(handle),
        });
        callback(null, encodeFlightInfo({ schema: encapsulatedSchema(columns), descriptor, ticket }));
      } catch (error) {
        callback(fail(error));
      }
    },

    async GetSchema(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      try {
        const principal = await principalOf(call.metadata, peerOf(call.getPeer()));
        const query = statementOf(decodeFlightDescriptor(call.request).cmd, reader(call.metadata));
        callback(null, encodeSchemaResult(encapsulatedSchema(await describe(deps, principal, query))));
      } catch (error) {
        callback(fail(error));
      }
    },
  };
}

/**
 * Streams an InfluxQL statement's flat rows batch by batch, as streamSql does (the cap ends the call
 * with RESOURCE_EXHAUSTED after what was sent). False when the client left.
 */
async function streamInfluxql(
  deps: FlightDeps,
  principal: Principal,
  query: FlightQuery,
  signal: AbortSignal,
  send: (data: FlightData, deadline?: AbortSignal) => Promise<number>,
  cancelled: () => boolean,
): Promise<boolean> {
  const { answer, columns, timezone } = await deps.influxql.openFlat(
    principal,
    {
      database: query.database,
      query: query.query,
      signal,
      ...(query.params === undefined ? {} : { params: query.params }),
    },
    MAX_BATCH_ROWS,
  );
  return sendAnswer(answer, () => flatColumns({ columns, rows: [] }, timezone), send, cancelled);
}

/**
 * Streams a SQL result batch by batch. Past the result cap, the batches already sent stay and the
 * call ends with RESOURCE_EXHAUSTED naming it (Flight's truncation marker). False when the client left.
 */
async function streamSql(
  deps: FlightDeps,
  principal: Principal,
  query: FlightQuery,
  signal: AbortSignal,
  send: (data: FlightData, deadline?: AbortSignal) => Promise<number>,
  cancelled: () => boolean,
): Promise<boolean> {
  const answer = await deps.queries.open(principal, {
    database: query.database,
    sql: query.query,
    signal,
    ...(query.params === undefined ? {} : { params: query.params }),
  });
  return sendAnswer(
    answer,
    async () => sqlColumns(answer.columns, await deps.queries.schema(principal, query.database)),
    send,
    cancelled,
  );
}

/**
 * Sends an answer as its schema and then its record batches, closing it whatever happens. Past the
 * cap the batches already sent stay and the call ends with RESOURCE_EXHAUSTED naming it (Flight's
 * truncation marker). False when the client left.
 */
async function sendAnswer(
  answer: QueryAnswer,
  columnsOf: () => ArrowColumn[] | Promise<ArrowColumn[]>,
  send: (data: FlightData, deadline?: AbortSignal) => Promise<number>,
  cancelled: () => boolean,
): Promise<boolean> {
  try {
    const columns = await columnsOf();
    const { schema, message } = resultSchema(columns);
    await send(message);
    for await (const batch of answer.batches()) {
      for (const data of flightBatchesOf(schema, columns, batch)) {
        if (cancelled()) return false;
        answer.spend(await send(data, answer.signal));
      }
    }
    if (answer.truncated !== undefined) throw new FluxgateError('QUERY_RESULT_TOO_LARGE', answer.truncated);
    return true;
  } finally {
    await answer.close();
  }
}

/** A Flight SQL statement's result columns, from the query run with no rows. */
async function describe(deps: FlightDeps, principal: Principal, query: FlightQuery): Promise<ArrowColumn[]> {
  const empty = await deps.queries.query(principal, {
    database: query.database,
    sql: `SELECT * FROM (${query.query}) LIMIT 0`,
  });
  return sqlColumns(empty.columns, await deps.queries.schema(principal, query.database));
}

function statementOf(cmd: Buffer, metadata: MetadataReader): FlightQuery {
  const any = decodeAny(cmd);
  if (any?.typeUrl !== `${FLIGHT_SQL}CommandStatementQuery`) {
    throw new FluxgateError(
      'INVALID_INPUT',
      `fluxgate answers the Flight SQL statement query, not ${any?.typeUrl ?? 'this command'}`,
    );
  }
  return { database: headerDatabase(metadata), query: statementQueryOf(any.value), language: 'sql' };
}

function first(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : String(value);
}

function reader(metadata: Metadata): MetadataReader {
  return (key) => first(metadata, key);
}

function metadataWith(key: string, value: string, like: Metadata): Metadata {
  const metadata = like.clone();
  for (const existing of Object.keys(metadata.getMap())) metadata.remove(existing);
  metadata.set(key, value);
  return metadata;
}

/** `ipv4:127.0.0.1:5000`, `[::1]:5000` or `127.0.0.1:5000` → the address alone. */
function peerOf(peer: string): string {
  const text = peer.replace(/^ipv[46]:/, '');
  const bracket = /^\[([^\]]+)\]/.exec(text);
  if (bracket !== null) return bracket[1]!;
  const colon = text.lastIndexOf(':');
  return colon > 0 ? text.slice(0, colon) : text;
}

function grpcError(error: unknown, logger: Logger): { code: status; details: string } {
  if (isFluxgateError(error)) {
    const code = STATUS_OF[error.code] ?? (error.status >= 500 ? status.INTERNAL : status.INVALID_ARGUMENT);
    if (code === status.INTERNAL) logger.error({ err: error }, 'Flight request failed');
    return { code, details: error.message };
  }
  logger.error({ err: error }, 'Flight request failed');
  return { code: status.INTERNAL, details: 'internal error; see the server log' };
}
