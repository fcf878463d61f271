import { bytesField, decodeFields, ProtoWriter, stringField, varintField } from './protobuf.ts';

/** The Arrow Flight (and Flight SQL) messages fluxgate reads and writes, field numbers from Flight.proto. */

export interface FlightData {
  dataHeader: Uint8Array;
  dataBody: Uint8Array;
}

export function encodeFlightData(data: FlightData): Buffer {
  return new ProtoWriter().bytes(2, data.dataHeader).bytes(1000, data.dataBody).finish();
}

export function decodeFlightData(bytes: Uint8Array): FlightData {
  const fields = decodeFields(bytes);
  return {
    dataHeader: bytesField(fields, 2) ?? Buffer.alloc(0),
    dataBody: bytesField(fields, 1000) ?? Buffer.alloc(0),
  };
}

export function encodeTicket(ticket: Uint8Array): Buffer {
  return new ProtoWriter().bytes(1, ticket).finish();
}

export function decodeTicket(bytes: Uint8Array): Buffer {
  return bytesField(decodeFields(bytes), 1) ?? Buffer.alloc(0);
}

export interface Handshake {
  protocolVersion: bigint;
  payload: Buffer;
}

export function encodeHandshake(message: Handshake): Buffer {
  return new ProtoWriter().varint(1, message.protocolVersion).bytes(2, message.payload).finish();
}

export function decodeHandshake(bytes: Uint8Array): Handshake {
  const fields = decodeFields(bytes);
  return { protocolVersion: varintField(fields, 1) ?? 0n, payload: bytesField(fields, 2) ?? Buffer.alloc(0) };
}

export interface FlightDescriptor {
  /** 1 PATH, 2 CMD. */
  type: number;
  cmd: Buffer;
}

export function decodeFlightDescriptor(bytes: Uint8Array): FlightDescriptor {
  const fields = decodeFields(bytes);
  return { type: Number(varintField(fields, 1) ?? 0n), cmd: bytesField(fields, 2) ?? Buffer.alloc(0) };
}

function encodeFlightDescriptor(descriptor: FlightDescriptor): Buffer {
  return new ProtoWriter().varint(1, descriptor.type).bytes(2, descriptor.cmd).finish();
}

export interface FlightInfo {
  /** The schema as an encapsulated IPC message. */
  schema: Uint8Array;
  descriptor: FlightDescriptor;
  ticket: Uint8Array;
}

/** One endpoint with the ticket and no location: the client fetches it from the server it asked. */
export function encodeFlightInfo(info: FlightInfo): Buffer {
  const endpoint = new ProtoWriter().message(1, encodeTicket(info.ticket)).finish();
  return new ProtoWriter()
    .bytes(1, info.schema)
    .message(2, encodeFlightDescriptor(info.descriptor))
    .message(3, endpoint)
    .varint(4, -1n)
    .varint(5, -1n)
    .finish();
}

export function encodeSchemaResult(schema: Uint8Array): Buffer {
  return new ProtoWriter().bytes(1, schema).finish();
}

/** `google.protobuf.Any`: Flight SQL wraps its commands and tickets in it. */
export interface Any {
  typeUrl: string;
  value: Buffer;
}

export function decodeAny(bytes: Uint8Array): Any | undefined {
  try {
    const fields = decodeFields(bytes);
    const typeUrl = stringField(fields, 1);
    if (typeUrl === undefined || !typeUrl.startsWith('type.googleapis.com/')) return undefined;
    return { typeUrl, value: bytesField(fields, 2) ?? Buffer.alloc(0) };
  } catch {
    return undefined;
  }
}

export function encodeAny(any: Any): Buffer {
  return new ProtoWriter().string(1, any.typeUrl).bytes(2, any.value).finish();
}

export const FLIGHT_SQL = 'type.googleapis.com/arrow.flight.protocol.sql.';

/** `CommandStatementQuery.query`. */
export function statementQueryOf(value: Buffer): string {
  return stringField(decodeFields(value), 1) ?? '';
}

export function encodeTicketStatementQuery(handle: Uint8Array): Buffer {
  return new ProtoWriter().bytes(1, handle).finish();
}

export function statementHandleOf(value: Buffer): Buffer {
  return bytesField(decodeFields(value), 1) ?? Buffer.alloc(0);
}
