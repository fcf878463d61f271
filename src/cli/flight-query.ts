import { readFileSync } from 'node:fs';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { RecordBatchReader, Type } from 'apache-arrow';
import { decodeFlightData, encodeTicket } from '../flight/flight-messages.ts';
import { CliError } from './cli-error.ts';
import type { TlsSettings } from './profiles.ts';

export interface FlightRows {
  columns: Array<{ name: string; timestamp: boolean }>;
  /** Timestamps as bigint nanoseconds, 64-bit integers as bigint, the rest as Arrow gives them. */
  rows: unknown[][];
}

/**
 * Runs a query over Arrow Flight (DoGet with InfluxDB 3's JSON ticket) on the server's own port, for
 * output that needs the columns' types (nanosecond times); reads the whole answer.
 */
export async function flightQuery(
  connection: { host: string; token: string | undefined; tls: TlsSettings | undefined },
  ticket: { database: string; sql_query: string; query_type: 'sql' | 'influxql' },
): Promise<FlightRows> {
  const url = new URL(connection.host);
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? '443' : '80') : url.port;
  const client = new Client(`${url.hostname}:${port}`, channelCredentials(secure, connection.tls));
  const metadata = new Metadata();
  if (connection.token !== undefined) metadata.set('authorization', `Bearer ${connection.token}`);
  const request = encodeTicket(Buffer.from(JSON.stringify(ticket)));
  const raw = (b: Buffer) => b;
  const stream = client.makeServerStreamRequest(
    '/arrow.flight.protocol.FlightService/DoGet',
    raw,
    raw,
    request,
    metadata,
  );
  async function* ipc() {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      const data = decodeFlightData(bytes);
      const length = Buffer.alloc(4);
      length.writeInt32LE(data.dataHeader.byteLength);
      yield length;
      yield data.dataHeader;
      yield data.dataBody;
    }
  }
  try {
    const reader = await RecordBatchReader.from(ipc());
    const out: FlightRows = { columns: [], rows: [] };
    for await (const batch of reader) {
      if (out.columns.length === 0) {
        out.columns = batch.schema.fields.map((field) => ({
          name: field.name,
          timestamp: field.typeId === Type.Timestamp,
        }));
      }
      const vectors = batch.schema.fields.map((_, i) => batch.getChildAt(i)!);
      for (let row = 0; row < batch.numRows; row++) {
        out.rows.push(
          vectors.map((vector, c) => {
            if (!vector.isValid(row)) return null;
            if (!out.columns[c]!.timestamp) return vector.get(row);
            // The getter gives milliseconds; the buffer holds the nanoseconds.
            const data = vector.data[0]!;
            return (data.values as BigInt64Array)[data.offset + row];
          }),
        );
      }
    }
    return out;
  } catch (error) {
    const details = (error as { details?: string }).details;
    throw new CliError(details === undefined ? (error as Error).message : `query failed: ${details}`);
  } finally {
    client.close();
  }
}

function channelCredentials(secure: boolean, tls: TlsSettings | undefined) {
  if (!secure) return credentials.createInsecure();
  const read = (file: string | undefined) => (file === undefined ? null : readFileSync(file));
  return credentials.createSsl(
    read(tls?.ca),
    read(tls?.key),
    read(tls?.cert),
    tls?.insecure ? { checkServerIdentity: () => undefined, rejectUnauthorized: false } : {},
  );
}
