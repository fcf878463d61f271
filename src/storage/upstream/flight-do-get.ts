import { Client, type ClientReadableStream, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { decodeFlightData, encodeTicket } from '../../flight/flight-messages.ts';
import type { UpstreamTarget } from './upstream-target.ts';

const DO_GET = '/arrow.flight.protocol.FlightService/DoGet';
/** Record batches are at most this large; InfluxDB 3 and fluxgate stay well below it. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const raw = (bytes: Buffer) => bytes;

/** InfluxDB 3's JSON ticket. */
export interface FlightTicket {
  database: string;
  sql_query: string;
  query_type: 'sql';
  params?: Record<string, unknown>;
}

/** One open DoGet: the Arrow IPC stream it carries, and how to stop it. */
export interface FlightCall {
  /** The stream's bytes as encapsulated IPC messages (what Arrow's stream reader reads). */
  ipc: AsyncIterable<Uint8Array>;
  cancel(): void;
}

/** A gRPC channel to the upstream's Flight service (InfluxDB 3 serves it on its HTTP port). */
export class FlightChannel {
  private readonly client: Client;

  constructor(private readonly target: UpstreamTarget) {
    const url = new URL(target.url);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const secure = url.protocol === 'https:' ? credentials.createSsl() : credentials.createInsecure();
    this.client = new Client(`${url.hostname}:${port}`, secure, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.enable_retries': 0,
      // An upstream that restarts is reached again within a couple of seconds, not grpc's default two minutes.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
  }

  /** Starts a DoGet; errors surface from the first read of `ipc` as a grpc ServiceError. */
  doGet(ticket: FlightTicket, deadlineMs: number): FlightCall {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${this.target.token}`);
    const options = Number.isFinite(deadlineMs) ? { deadline: Date.now() + deadlineMs } : {};
    const call: ClientReadableStream<Buffer> = this.client.makeServerStreamRequest(
      DO_GET,
      raw,
      raw,
      encodeTicket(Buffer.from(JSON.stringify(ticket), 'utf8')),
      metadata,
      options,
    );
    return { ipc: encapsulated(call), cancel: () => call.cancel() };
  }

  close(): void {
    this.client.close();
  }
}

/** FlightData messages as the IPC stream format: continuation, padded metadata length, flatbuffer, body. */
async function* encapsulated(call: ClientReadableStream<Buffer>): AsyncGenerator<Uint8Array> {
  for await (const message of call as AsyncIterable<Buffer>) {
    const data = decodeFlightData(message);
    if (data.dataHeader.byteLength === 0) continue;
    const padded = Math.ceil(data.dataHeader.byteLength / 8) * 8;
    const prefix = Buffer.alloc(8 + padded);
    prefix.writeUInt32LE(0xffffffff, 0);
    prefix.writeInt32LE(padded, 4);
    prefix.set(data.dataHeader, 8);
    yield prefix;
    if (data.dataBody.byteLength > 0) yield data.dataBody;
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as ServiceError).code === 'number' &&
    'details' in error
  );
}

export { status as grpcStatus };
