import { type Data, Message, type Schema, Vector } from 'apache-arrow';
import { RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import type { FlightData } from './flight-messages.ts';

/**
 * Arrow IPC messages as FlightData, encoded one at a time with Arrow's own pieces (the assembler
 * that lays out a batch's buffers, the Message flatbuffer encoder): what RecordBatchStreamWriter
 * does for each message, without a writer per batch that also encodes the schema again and whose
 * output must be split back into messages. Headers are padded to 8 bytes, as in a stream.
 */

/** The Schema message's flatbuffer (FlightData's data_header), padded to 8 bytes. */
export function schemaHeader(schema: Schema): Uint8Array {
  return padded(Message.encode(Message.from(schema)));
}

/**
 * A record batch's message from its columns' data (all `length` long): its RecordBatch flatbuffer
 * and its body, buffers 8-byte aligned. The assembler lays the columns out as it does a
 * RecordBatch's, without building one (its constructor copies the schema and wraps the columns again).
 */
export function recordBatchData(length: number, columns: readonly Data[]): FlightData {
  const { byteLength, nodes, bufferRegions, buffers, variadicBufferCounts } = VectorAssembler.assemble(
    ...columns.map((data) => new Vector([data])),
  );
  const header = new RecordBatchHeader(length, nodes, bufferRegions, null, variadicBufferCounts);
  const body = new Uint8Array(byteLength);
  for (const [i, buffer] of buffers.entries()) {
    body.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), bufferRegions[i]!.offset);
  }
  return { dataHeader: padded(Message.encode(Message.from(header, byteLength))), dataBody: body };
}

/** A message as an encapsulated IPC message: continuation marker, metadata length, metadata. */
export function encapsulated(header: Uint8Array): Uint8Array {
  const message = new Uint8Array(8 + header.byteLength);
  const view = new DataView(message.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, header.byteLength, true);
  message.set(header, 8);
  return message;
}

function padded(flatbuffer: Uint8Array): Uint8Array {
  const length = (flatbuffer.byteLength + 7) & ~7;
  if (length === flatbuffer.byteLength) return flatbuffer;
  const bytes = new Uint8Array(length);
  bytes.set(flatbuffer);
  return bytes;
}
