import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { credentials, Client as GrpcClient, Metadata, status } from '@grpc/grpc-js';
import { InfluxDBClient } from '@influxdata/influxdb3-client';
import { RecordBatchReader, type Schema } from 'apache-arrow';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let admin: string;
let reader: string;

const T = 1_700_000_000_000_000_000n;
const ROWS = 70_000;

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  const lines = [
    'cpu,host=a,region=eu usage=1.5,n=3i,ok=true,note="x" 1700000000000000000',
    'cpu,host=b usage=2.5,n=4i 1700000001000000000',
  ];
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=db1', { token: admin, body: lines.join('\n') })).status,
    204,
  );
  const many = Array.from({ length: ROWS }, (_, i) => `big,host=h${i % 7} v=${i}i ${T + BigInt(i) * 1_000_000n}`);
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=db1', { token: admin, body: many.join('\n') })).status,
    204,
  );
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=db2', { token: admin, body: 'cpu v=1 1' })).status,
    204,
  );
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'db1-reader',
      permissions: [{ resource_type: 'db', resource_names: ['db1'], actions: ['read'] }],
    },
  });
  reader = issued.body.token;
});
after(() => server.dispose());

async function rows(client: InfluxDBClient, query: string, database: string, options: object = {}) {
  const out: Array<Record<string, unknown>> = [];
  for await (const row of client.query(query, database, options)) out.push(row);
  return out;
}

async function grpcCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { code?: string }).code);
  }
  return 'OK';
}

describe('Arrow Flight with the official client, on the HTTP port', () => {
  test('query(): SQL rows with nanosecond timestamps, typed fields and tags', async () => {
    const client = new InfluxDBClient({ host: server.url, token: reader });
    try {
      assert.deepEqual(
        await rows(client, 'SELECT time, host, region, usage, n, ok, note FROM cpu ORDER BY time', 'db1'),
        [
          { time: 1_700_000_000_000, host: 'a', region: 'eu', usage: 1.5, n: 3, ok: true, note: 'x' },
          { time: 1_700_000_001_000, host: 'b', region: null, usage: 2.5, n: 4, ok: null, note: null },
        ],
      );
      assert.deepEqual(await rows(client, 'SELECT host FROM cpu WHERE usage > $min', 'db1', { params: { min: 2 } }), [
        { host: 'b' },
      ]);
    } finally {
      await client.close();
    }
  });

  test('queryPoints(): tags and fields told apart by iox::column::type, the measurement from InfluxQL', async () => {
    const client = new InfluxDBClient({ host: server.url, token: reader });
    try {
      const points = [];
      for await (const point of client.queryPoints("SELECT * FROM cpu WHERE host = 'a'", 'db1')) points.push(point);
      assert.equal(points.length, 1);
      assert.equal(points[0]!.getTag('host'), 'a');
      assert.equal(points[0]!.getTag('region'), 'eu');
      assert.equal(points[0]!.getField('usage'), 1.5);
      assert.equal(points[0]!.getFieldType('n'), 'integer');
      const influxql = [];
      for await (const point of client.queryPoints("SELECT usage, host FROM cpu WHERE host = 'b'", 'db1', {
        type: 'influxql',
      })) {
        influxql.push(point);
      }
      assert.equal(influxql[0]!.getMeasurement(), 'cpu');
      assert.equal(influxql[0]!.getField('usage'), 2.5);
    } finally {
      await client.close();
    }
  });

  test('InfluxQL over Flight: the flat rows of /api/v3/query_influxql', async () => {
    const client = new InfluxDBClient({ host: server.url, token: reader });
    try {
      assert.deepEqual(await rows(client, 'SELECT mean(usage) FROM cpu GROUP BY host', 'db1', { type: 'influxql' }), [
        { 'iox::measurement': 'cpu', time: 0, host: 'a', mean: 1.5 },
        { 'iox::measurement': 'cpu', time: 0, host: 'b', mean: 2.5 },
      ]);
    } finally {
      await client.close();
    }
  });

  test('a result larger than one record batch streams in several batches, every row once', async () => {
    const batches: number[] = [];
    for await (const batch of rawDoGet(
      JSON.stringify({ database: 'db1', sql_query: 'SELECT v FROM big ORDER BY time' }),
      reader,
    )) {
      batches.push(batch.numRows);
    }
    assert.ok(batches.length >= 2, `expected several batches, got ${batches.join(', ')}`);
    assert.ok(batches.every((n) => n <= 65_536));
    assert.equal(
      batches.reduce((a, b) => a + b, 0),
      ROWS,
    );
  });

  test('the ticket takes namespace_name or bucket for the database; a missing query_type means SQL', async () => {
    for (const key of ['namespace_name', 'bucket']) {
      let count = 0;
      for await (const batch of rawDoGet(JSON.stringify({ [key]: 'db1', sql_query: 'SELECT * FROM cpu' }), reader))
        count += batch.numRows;
      assert.equal(count, 2);
    }
    const wrong = rawDoGet(JSON.stringify({ database: 'db1', sql_query: 'SELECT 1', query_type: 'flux' }), reader);
    assert.deepEqual(await failure(wrong), {
      code: status.INVALID_ARGUMENT,
      details: `query_type "flux" is not valid: Expected 'sql' or 'influxql'`,
    });
  });

  test('refusals: unknown or revoked token UNAUTHENTICATED, no read PERMISSION_DENIED, bad SQL INVALID_ARGUMENT', async () => {
    const bad = new InfluxDBClient({ host: server.url, token: `${reader.slice(0, -3)}abc` });
    const noRead = new InfluxDBClient({ host: server.url, token: reader });
    try {
      assert.equal(await grpcCode(rows(bad, 'SELECT * FROM cpu', 'db1')), 'UNAUTHENTICATED');
      assert.equal(await grpcCode(rows(noRead, 'SELECT * FROM cpu', 'db2')), 'PERMISSION_DENIED');
      assert.equal(await grpcCode(rows(noRead, 'SELECT * FROM nope', 'db1')), 'INVALID_ARGUMENT');
      assert.equal(await grpcCode(rows(noRead, "SELECT * FROM read_csv('/etc/passwd')", 'db1')), 'INVALID_ARGUMENT');
      assert.equal(
        await grpcCode(rows(noRead, 'SELECT nope(v) FROM cpu', 'db1', { type: 'influxql' })),
        'INVALID_ARGUMENT',
      );
    } finally {
      await bad.close();
      await noRead.close();
    }
    assert.equal(
      (await failure(rawDoGet(JSON.stringify({ database: 'db1', sql_query: 'SELECT 1' }), undefined))).code,
      status.UNAUTHENTICATED,
    );
  });
});

describe('Flight SQL (Grafana, ADBC): GetFlightInfo, then DoGet of its ticket', () => {
  test('a CommandStatementQuery with the database header answers schema and rows', async () => {
    const command = any(
      'arrow.flight.protocol.sql.CommandStatementQuery',
      field(1, Buffer.from('SELECT host, usage FROM cpu ORDER BY host')),
    );
    const descriptor = Buffer.concat([varintField(1, 2), field(2, command)]);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${reader}`);
    metadata.set('database', 'db1');
    const client = new GrpcClient(new URL(server.url).host, credentials.createInsecure());
    try {
      const info = await new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          '/arrow.flight.protocol.FlightService/GetFlightInfo',
          (b: Buffer) => b,
          (b: Buffer) => b,
          descriptor,
          metadata,
          (error, value) => (error ? reject(error) : resolve(value!)),
        ),
      );
      const infoFields = fields(info);
      const schema = await schemaOf(infoFields.get(1)![0]!);
      assert.deepEqual(
        schema.fields.map((f) => [f.name, f.metadata.get('iox::column::type')]),
        [
          ['host', 'iox::column_type::tag'],
          ['usage', 'iox::column_type::field::float'],
        ],
      );
      const endpoint = fields(infoFields.get(3)![0]!);
      const ticket = fields(endpoint.get(1)![0]!).get(1)![0]!;
      const got: unknown[] = [];
      for await (const batch of rawDoGet(ticket, reader, client)) for (const row of batch) got.push(row.toJSON());
      assert.deepEqual(got, [
        { host: 'a', usage: 1.5 },
        { host: 'b', usage: 2.5 },
      ]);
    } finally {
      client.close();
    }
  });

  test('Handshake echoes the payload and returns the Basic password as a bearer token', async () => {
    const client = new GrpcClient(new URL(server.url).host, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set('authorization', `Basic ${Buffer.from(`user:${reader}`).toString('base64')}`);
    try {
      const stream = client.makeBidiStreamRequest(
        '/arrow.flight.protocol.FlightService/Handshake',
        (b: Buffer) => b,
        (b: Buffer) => b,
        metadata,
      );
      const headers = new Promise<Metadata>((resolve) => stream.once('metadata', resolve));
      stream.write(Buffer.concat([varintField(1, 1), field(2, Buffer.from('hello'))]));
      const replied = new Promise<Buffer>((resolve) => stream.once('data', resolve));
      stream.end();
      const reply = await replied;
      assert.equal(fields(reply).get(2)![0]!.toString(), 'hello');
      assert.equal((await headers).get('authorization')[0], `Bearer ${reader}`);
    } finally {
      client.close();
    }
  });
});

/** DoGet with a raw ticket, decoded by apache-arrow exactly as the official client decodes it. */
async function* rawDoGet(ticket: string | Buffer, token: string | undefined, shared?: GrpcClient) {
  const client = shared ?? new GrpcClient(new URL(server.url).host, credentials.createInsecure());
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const request = field(1, Buffer.isBuffer(ticket) ? ticket : Buffer.from(ticket));
  const stream = client.makeServerStreamRequest(
    '/arrow.flight.protocol.FlightService/DoGet',
    (b: Buffer) => b,
    (b: Buffer) => b,
    request,
    metadata,
  );
  async function* ipc() {
    for await (const data of stream as AsyncIterable<Buffer>) {
      const message = fields(data);
      const header = message.get(2)?.[0] ?? Buffer.alloc(0);
      const length = Buffer.alloc(4);
      length.writeInt32LE(header.length);
      yield length;
      yield header;
      yield message.get(1000)?.[0] ?? Buffer.alloc(0);
    }
  }
  try {
    yield* await RecordBatchReader.from(ipc());
  } finally {
    if (shared === undefined) client.close();
  }
}

async function failure(batches: AsyncGenerator<unknown>): Promise<{ code?: number; details?: string }> {
  try {
    for await (const _ of batches) {
      // drain
    }
  } catch (error) {
    const { code, details } = error as { code?: number; details?: string };
    return { code, details };
  }
  return {};
}

async function schemaOf(encapsulated: Buffer): Promise<Schema> {
  const reader = await RecordBatchReader.from([encapsulated, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]);
  await reader.open();
  return reader.schema;
}

// A few lines of protobuf, written here independently of the server's codec.
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0));
    rest = Math.floor(rest / 128);
  } while (rest > 0);
  return Buffer.from(bytes);
}
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}
function varintField(number: number, value: number): Buffer {
  return Buffer.concat([varint(number << 3), varint(value)]);
}
function any(type: string, value: Buffer): Buffer {
  return Buffer.concat([field(1, Buffer.from(`type.googleapis.com/${type}`)), field(2, value)]);
}
function fields(bytes: Buffer): Map<number, Buffer[]> {
  const found = new Map<number, Buffer[]>();
  let offset = 0;
  const read = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
  };
  while (offset < bytes.length) {
    const key = read();
    const wire = key & 7;
    const number = Math.floor(key / 8);
    if (wire === 0) {
      read();
      continue;
    }
    const length = read();
    found.set(number, [...(found.get(number) ?? []), bytes.subarray(offset, offset + length)]);
    offset += length;
  }
  return found;
}

describe('Flight: the deadline covers sending', () => {
  let slow: ServerProcess;
  let token: string;
  before(async () => {
    slow = await startServerProcess({ args: ['--query-timeout', '2s'] });
    token = await bootstrap(slow.url);
    const body = Array.from({ length: 1000 }, (_, i) => `m v=${i}i ${T + BigInt(i)}`).join('\n');
    assert.equal((await call(slow.url, 'POST', '/api/v3/write_lp?db=slow', { token, body })).status, 204);
  });
  after(() => slow.dispose());

  const active = async () => {
    const metrics = await call(slow.url, 'GET', '/metrics', { token });
    const line = metrics.text.split('\n').find((l) => l.startsWith('fluxgate_active_queries '));
    return Number(line?.split(' ')[1]);
  };

  test('a client that stops reading is ended at --query-timeout and its query stops', async () => {
    const client = new GrpcClient(new URL(slow.url).host, credentials.createInsecure());
    try {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      // A million rows: far more than HTTP/2's flow-control window, so the server must wait for the client.
      const ticket = JSON.stringify({ database: 'slow', sql_query: 'SELECT a.v AS x, b.v AS y FROM m a, m b' });
      const stream = client.makeServerStreamRequest(
        '/arrow.flight.protocol.FlightService/DoGet',
        (b: Buffer) => b,
        (b: Buffer) => b,
        field(1, Buffer.from(ticket)),
        metadata,
      );
      const ended = new Promise<{ code?: number; details?: string }>((resolve) => {
        stream.on('error', (error: { code?: number; details?: string }) => resolve(error));
        stream.on('end', () => resolve({}));
      });
      await new Promise((resolve) => stream.once('data', resolve));
      stream.pause();
      assert.equal(await active(), 1, 'the query is waiting for the client');
      for (let i = 0; i < 300 && (await active()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await active(), 0, 'the deadline stops the query');
      stream.resume();
      const outcome = await ended;
      assert.notEqual(outcome.code, undefined, 'the call ends with an error, not as a whole answer');
      assert.match(outcome.details ?? '', /--query-timeout/);
    } finally {
      client.close();
    }
  });
});
