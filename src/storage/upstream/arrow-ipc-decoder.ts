import { type Data, type DataType, Message, makeData, RecordBatch, type Schema, Struct, Vector } from 'apache-arrow';
import type { RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import { RecentCache } from '../../support/recent-cache.ts';

/** Schemas kept by their message's bytes: a query repeated sends the same schema each time (Arrow schemas are not changed once built). */
const schemas = new RecentCache<string, Schema>(64);

/**
 * Arrow IPC messages decoded one at a time, synchronously, as a DoGet delivers them (each FlightData
 * is one whole message: its metadata flatbuffer and its body). Arrow's async stream reader does the
 * same through layers of async generators over a byte stream, which cost a small query through a
 * gateway more than the rest of its decoding. Compressed bodies are refused, as Arrow's own reader
 * refuses them with no codec registered (fluxgate registers none).
 */
export class ArrowIpcDecoder {
  schema: Schema | undefined;
  private dictionaries = new Map<number, Vector>();

  /** One message: the record batch it carries, or undefined (a schema, a dictionary). */
  decode(metadata: Uint8Array, body: Uint8Array): RecordBatch | undefined {
    const message = Message.decode(metadata);
    if (message.isSchema()) {
      const key = Buffer.from(metadata.buffer, metadata.byteOffset, metadata.byteLength).toString('latin1');
      this.schema = schemas.getOrSet(key, () => message.header());
      this.dictionaries = new Map();
      return undefined;
    }
    const schema = this.schema;
    if (schema === undefined) throw new Error('the Arrow stream sent a batch before its schema');
    if (body.byteLength < message.bodyLength) {
      throw new Error(`an Arrow message body of ${body.byteLength} bytes, ${message.bodyLength} expected`);
    }
    // Arrow's typed arrays need the body 8-byte aligned: a copy when it is not (a Buffer's slice
    // would be a view of the same bytes).
    const bytes = body.byteOffset % 8 === 0 ? body : new Uint8Array(body);
    if (message.isRecordBatch()) {
      const header = message.header();
      const children = this.load(
        header,
        bytes,
        schema.fields.map((field) => field.type),
      );
      const data = makeData({ type: new Struct(schema.fields), length: header.length, children });
      return new RecordBatch(schema, data, message.metadata);
    }
    if (message.isDictionaryBatch()) {
      const header = message.header();
      const type = schema.dictionaries.get(header.id);
      if (type === undefined) throw new Error(`an Arrow dictionary batch for unknown id ${header.id}`);
      const vector = new Vector(this.load(header.data, bytes, [type]));
      const known = this.dictionaries.get(header.id);
      this.dictionaries.set(
        header.id,
        (known !== undefined && header.isDelta ? known.concat(vector) : vector).memoize(),
      );
    }
    return undefined;
  }

  private load(header: BatchHeader, body: Uint8Array, types: DataType[]): Data[] {
    if (header.compression != null) throw new Error('Record batch is compressed but codec not found');
    const version = this.schema!.metadataVersion;
    const loader = new VectorLoader(
      body,
      header.nodes,
      header.buffers,
      this.dictionaries,
      version,
      header.variadicBufferCounts,
    );
    return loader.visitMany(types);
  }
}
