/**
 * What the Flight face encodes, read back with apache-arrow's own RecordBatchReader: every column
 * kind, nulls, an empty result and a result cut into several batches. The FlightData messages are
 * laid out as an IPC stream (continuation, metadata length, metadata, body) as a client does.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RecordBatch, RecordBatchReader, type Schema } from 'apache-arrow';
import {
  type ArrowColumn,
  arrowSchema,
  encapsulatedSchema,
  flightBatchesOf,
  flightDataOf,
  MAX_BATCH_ROWS,
} from '../../src/flight/arrow-batches.ts';
import type { FlightData } from '../../src/flight/flight-messages.ts';

const TIMESTAMP = 'iox::column_type::timestamp';
const COLUMNS: ArrowColumn[] = [
  { name: 'time', kind: 'timestamp', ioxType: TIMESTAMP },
  { name: 'local', kind: 'timestamp', ioxType: TIMESTAMP, timezone: 'Europe/Paris' },
  { name: 'usage', kind: 'float', ioxType: 'iox::column_type::field::float' },
  { name: 'count', kind: 'integer', ioxType: 'iox::column_type::field::integer' },
  { name: 'big', kind: 'uinteger', ioxType: 'iox::column_type::field::uinteger' },
  { name: 'host', kind: 'string', ioxType: 'iox::column_type::tag' },
  { name: 'up', kind: 'boolean', ioxType: 'iox::column_type::field::boolean' },
  { name: 'computed', kind: 'string' },
];

function stream(messages: Iterable<FlightData>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { dataHeader, dataBody } of messages) {
    assert.equal(dataHeader.byteLength % 8, 0, 'metadata padded to 8 bytes');
    assert.equal(dataBody.byteLength % 8, 0, 'body padded to 8 bytes');
    const prefix = Buffer.alloc(8);
    prefix.writeInt32LE(-1, 0);
    prefix.writeInt32LE(dataHeader.byteLength, 4);
    parts.push(prefix, dataHeader, dataBody);
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

function read(bytes: Uint8Array): { schema: Schema; batches: RecordBatch[] } {
  const reader = RecordBatchReader.from(bytes).open();
  const schema = reader.schema;
  return { schema, batches: [...reader] };
}

const rowsOf = (batches: RecordBatch[]) =>
  batches.flatMap((batch) => batch.toArray().map((row) => COLUMNS.map((column) => row[column.name])));

describe('Arrow record batches for Flight', () => {
  test('every column kind, with nulls, reads back as written', () => {
    const rows: unknown[][] = [
      [1_700_000_000_000_000_001n, '2024-01-02T03:04:05.000000006Z', 1.5, 42, '18446744073709551615', 'h1', true, 'x'],
      [null, null, null, null, null, null, null, null],
      [2n, 3n, -0.25, -7, 9, 'hé ✓', false, { a: 1 }],
    ];
    const { schema, batches } = read(stream(flightDataOf(COLUMNS, rows)));
    assert.deepEqual(
      schema.fields.map((field) => [
        field.name,
        String(field.type),
        field.nullable,
        field.metadata.get('iox::column::type'),
      ]),
      [
        ['time', 'Timestamp<NANOSECOND>', true, TIMESTAMP],
        ['local', 'Timestamp<NANOSECOND, Europe/Paris>', true, TIMESTAMP],
        ['usage', 'Float64', true, 'iox::column_type::field::float'],
        ['count', 'Int64', true, 'iox::column_type::field::integer'],
        ['big', 'Uint64', true, 'iox::column_type::field::uinteger'],
        ['host', 'Utf8', true, 'iox::column_type::tag'],
        ['up', 'Bool', true, 'iox::column_type::field::boolean'],
        ['computed', 'Utf8', true, undefined],
      ],
    );
    assert.equal(batches.length, 1);
    const batch = batches[0]!;
    assert.equal(batch.numRows, 3);
    const raw = (name: string) => [...batch.getChild(name)!.data[0]!.values];
    assert.deepEqual(raw('time').slice(0, 1), [1_700_000_000_000_000_001n]);
    assert.deepEqual(raw('time')[2], 2n);
    assert.deepEqual(raw('local')[0], 1_704_164_645_000_000_006n);
    assert.deepEqual(raw('big')[0], 18_446_744_073_709_551_615n);
    assert.deepEqual(raw('count'), [42n, 0n, -7n]);
    assert.deepEqual(
      rowsOf(batches).map((row) => row.slice(2)),
      [
        [1.5, 42n, 18_446_744_073_709_551_615n, 'h1', true, 'x'],
        [null, null, null, null, null, null],
        [-0.25, -7n, 9n, 'hé ✓', false, '{"a":1}'],
      ],
    );
    for (const column of COLUMNS) assert.equal(batch.getChild(column.name)!.nullCount, 1, column.name);
  });

  test('an empty result is the schema alone', () => {
    const { schema, batches } = read(stream(flightDataOf(COLUMNS, [])));
    assert.deepEqual(
      schema.fields.map((field) => field.name),
      COLUMNS.map((column) => column.name),
    );
    assert.equal(
      batches.reduce((n, batch) => n + batch.numRows, 0),
      0,
    );
  });

  test('a large result comes in several batches that read back in order', () => {
    const count = MAX_BATCH_ROWS * 2 + 3;
    const rows = Array.from({ length: count }, (_, i) => [
      BigInt(i),
      BigInt(i),
      i / 2,
      i,
      i,
      `h${i % 10}`,
      i % 3 === 0,
      i % 5 === 0 ? null : 'c',
    ]);
    const { batches } = read(stream(flightDataOf(COLUMNS, rows)));
    assert.deepEqual(
      batches.map((batch) => batch.numRows),
      [MAX_BATCH_ROWS, MAX_BATCH_ROWS, 3],
    );
    const back = rowsOf(batches).map((row) => row.slice(2));
    const times = batches.flatMap((batch) => [...batch.getChild('time')!.data[0]!.values]);
    assert.equal(back.length, count);
    for (const i of [0, 1, MAX_BATCH_ROWS - 1, MAX_BATCH_ROWS, count - 1]) {
      assert.deepEqual(back[i], [i / 2, BigInt(i), BigInt(i), `h${i % 10}`, i % 3 === 0, i % 5 === 0 ? null : 'c']);
      assert.equal(times[i], BigInt(i));
    }
  });

  test('batches streamed after the schema, and the FlightInfo schema, read as one stream', () => {
    const schema = arrowSchema(COLUMNS);
    const info = encapsulatedSchema(COLUMNS);
    const first = [...flightBatchesOf(schema, COLUMNS, [[1n, 1n, 1, 1, 1, 'a', true, 'b']])];
    const second = [...flightBatchesOf(schema, COLUMNS, [[2n, 2n, 2, 2, 2, 'c', false, null]])];
    const batchStream = stream([...first, ...second]);
    const { batches } = read(Buffer.concat([info, batchStream]));
    assert.deepEqual(
      rowsOf(batches).map((row) => row.slice(2)),
      [
        [1, 1n, 1n, 'a', true, 'b'],
        [2, 2n, 2n, 'c', false, null],
      ],
    );
  });
});
