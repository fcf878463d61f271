/**
 * The little of protobuf's wire format Flight needs: varints and length-delimited fields. Unknown
 * fields are skipped, as protobuf requires, so newer clients' extra fields do no harm.
 */
export type Fields = Map<number, Array<Buffer | bigint>>;

export function decodeFields(bytes: Uint8Array): Fields {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Fields = new Map();
  let offset = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (offset >= buffer.length) throw new Error('truncated protobuf varint');
      const byte = buffer[offset++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7n;
      if (shift > 63n) throw new Error('protobuf varint too long');
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: Buffer | bigint;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = Number(varint());
      if (offset + length > buffer.length) throw new Error('truncated protobuf field');
      value = buffer.subarray(offset, offset + length);
      offset += length;
    } else if (wire === 1) {
      value = buffer.readBigUInt64LE(offset);
      offset += 8;
    } else if (wire === 5) {
      value = BigInt(buffer.readUInt32LE(offset));
      offset += 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    const list = fields.get(field);
    if (list === undefined) fields.set(field, [value]);
    else list.push(value);
  }
  return fields;
}

export function bytesField(fields: Fields, field: number): Buffer | undefined {
  const value = fields.get(field)?.at(-1);
  return Buffer.isBuffer(value) ? value : undefined;
}

export function stringField(fields: Fields, field: number): string | undefined {
  return bytesField(fields, field)?.toString('utf8');
}

export function varintField(fields: Fields, field: number): bigint | undefined {
  const value = fields.get(field)?.at(-1);
  return typeof value === 'bigint' ? value : undefined;
}

/** Builds a message field by field; `finish` returns its bytes. */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  varint(field: number, value: bigint | number): this {
    if (value === 0 || value === 0n) return this;
    this.parts.push(encodeVarint(BigInt((field << 3) | 0)), encodeVarint(BigInt(value)));
    return this;
  }

  bytes(field: number, value: Uint8Array | undefined): this {
    if (value === undefined || value.byteLength === 0) return this;
    this.parts.push(
      encodeVarint(BigInt((field << 3) | 2)),
      encodeVarint(BigInt(value.byteLength)),
      Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    );
    return this;
  }

  string(field: number, value: string | undefined): this {
    return value === undefined || value === '' ? this : this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Buffer): this {
    this.parts.push(encodeVarint(BigInt((field << 3) | 2)), encodeVarint(BigInt(value.length)), value);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function encodeVarint(value: bigint): Buffer {
  let rest = value < 0n ? value + (1n << 64n) : value;
  const bytes: number[] = [];
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0n);
  return Buffer.from(bytes);
}
