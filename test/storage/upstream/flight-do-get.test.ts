/**
 * The gateway's hand-written Flight DoGet client (node:http2, plain gRPC framing), against real
 * peers only: a fluxgate storage node (what `--storage influxdb3` calls in the e2e tests) for what a
 * real upstream does, and a raw node:http2 server speaking gRPC framing, written here, for the
 * failure shapes a real server does not produce on demand (a connection cut mid-stream, a server
 * that never answers, a message over the cap, a compressed or malformed message, an HTTP error
 * without a gRPC status). Nothing of ours is mocked; the raw peer encodes its messages itself.
 */
import assert from 'node:assert/strict';
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Message, type Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { ArrowIpcDecoder } from '../../../src/storage/upstream/arrow-ipc-decoder.ts';
import {
  type FlightCall,
  FlightChannel,
  type FlightTicket,
  GrpcCallError,
  grpcStatus,
} from '../../../src/storage/upstream/flight-do-get.ts';
import { type FluxgateUpstream, startFluxgateUpstream } from '../../helpers/gateways.ts';
import { call } from '../../helpers/http.ts';

/** What the raw peers' channels present as their credential; never in an error. */
const PEER_TOKEN = 'apiv3_peerSecret0123456789abcdefghijklmnopqrstuvwxyz';
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024; // the client's cap (not exported: a protocol constant)

const sql = (database: string, sql_query: string): FlightTicket => ({ database, sql_query, query_type: 'sql' });

/** Every error a test saw, to prove at the end that no secret is in any of them. */
const seenErrors: unknown[] = [];
const secrets = [PEER_TOKEN];

after(() => {
  assert.ok(seenErrors.length >= 20, `only ${seenErrors.length} errors were checked for secrets`);
  for (const error of seenErrors) assertNoSecret(error, secrets);
});

function assertNoSecret(error: unknown, secrets: string[]): void {
  const e = error as { message?: string; details?: string; stack?: string };
  const texts = [String(error), e.message ?? '', e.details ?? '', e.stack ?? '', JSON.stringify(error) ?? ''];
  for (const secret of secrets) {
    for (const text of texts) assert.ok(!text.includes(secret), `a secret is in the error: ${text}`);
  }
}

/** Reads a call to its end as Arrow rows, decoded as the gateway decodes them; what arrived before a failure is kept next to it. */
async function drain(
  flight: FlightCall,
): Promise<{ rows: Array<Record<string, unknown>>; batches: number; error: unknown }> {
  const rows: Array<Record<string, unknown>> = [];
  let batches = 0;
  const decoder = new ArrowIpcDecoder();
  try {
    for await (const data of flight.messages) {
      const batch = decoder.decode(data.dataHeader, data.dataBody);
      if (batch === undefined) continue;
      batches++;
      for (const row of batch) rows.push(row.toJSON() as Record<string, unknown>);
    }
    return { rows, batches, error: undefined };
  } catch (error) {
    seenErrors.push(error);
    return { rows, batches, error };
  }
}

/** The error a call ends with (reading its raw IPC messages); fails when it ends without one. */
async function failureOf(flight: FlightCall): Promise<GrpcCallError> {
  try {
    for await (const _ of flight.messages) {
      // read on
    }
  } catch (error) {
    seenErrors.push(error);
    assert.ok(error instanceof GrpcCallError, `not a GrpcCallError: ${String(error)}`);
    return error;
  }
  assert.fail('the call ended without an error');
}

/** Reads a call's messages to their end, undecoded: how many came, and the error it ended with. */
async function readRaw(flight: FlightCall): Promise<{ messages: number; error: unknown }> {
  let messages = 0;
  try {
    for await (const data of flight.messages) {
      if (data.dataHeader.byteLength > 0) messages++;
    }
    return { messages, error: undefined };
  } catch (error) {
    seenErrors.push(error);
    return { messages, error };
  }
}

function assertStatus(error: unknown, code: number, details?: RegExp): void {
  assert.ok(error instanceof GrpcCallError, `not a GrpcCallError: ${String(error)}`);
  assert.equal(error.code, code, `${grpcStatus[error.code]} (${error.details}) instead of ${grpcStatus[code]}`);
  assert.equal(error.message, error.details);
  if (details !== undefined) assert.match(error.details, details);
}

// --- a raw gRPC peer ------------------------------------------------------------------------------

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** FlightData (Flight.proto): data_header = 2, data_body = 1000, both length-delimited. */
function flightData(header: Uint8Array, body: Uint8Array = new Uint8Array(0)): Buffer {
  const parts: Uint8Array[] = [varint((2 << 3) | 2), varint(header.length), header];
  if (body.length > 0) parts.push(varint((1000 << 3) | 2), varint(body.length), body);
  return Buffer.concat(parts);
}

/** gRPC's length-prefixed message. */
function grpcFrame(message: Uint8Array, compressed = 0): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed;
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** A table as the FlightData messages of its IPC stream (schema first, then one per batch). */
function flightMessages(table: Table): Buffer[] {
  const bytes = tableToIPC(table, 'stream');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    assert.equal(view.getUint32(at, true), 0xffffffff);
    const length = view.getInt32(at + 4, true);
    if (length === 0) break; // end of stream
    const header = bytes.subarray(at + 8, at + 8 + length);
    const bodyLength = Number(Message.decode(header).bodyLength);
    const body = bytes.subarray(at + 8 + length, at + 8 + length + bodyLength);
    out.push(flightData(header, body));
    at += 8 + length + bodyLength;
  }
  return out;
}

/** `batches` record batches of `perBatch` rows: n counts up from 0, s names the row. */
function numberedTable(batches: number, perBatch: number): Table {
  let table: Table | undefined;
  for (let b = 0; b < batches; b++) {
    const n = Int32Array.from({ length: perBatch }, (_, i) => b * perBatch + i);
    const part = tableFromArrays({ n, s: Array.from(n, (v) => `row ${v}`) });
    table = table === undefined ? part : table.concat(part);
  }
  return table as Table;
}

interface PeerCall {
  headers: IncomingHttpHeaders;
  stream: ServerHttp2Stream;
  /** The request body as gRPC messages, once the client ended it. */
  body: Promise<Buffer>;
  /** Resolves with the stream's RST code when it closes. */
  closed: Promise<number>;
}

interface Peer {
  url: string;
  sessions: ServerHttp2Session[];
  calls: PeerCall[];
  close(): Promise<void>;
}

/** A plain HTTP/2 server; `answer` is what it does with each call. */
async function startPeer(answer: (call: PeerCall, index: number) => void | Promise<void>): Promise<Peer> {
  const server = http2.createServer();
  const sessions: ServerHttp2Session[] = [];
  const calls: PeerCall[] = [];
  server.on('session', (session) => {
    sessions.push(session);
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const body = new Promise<Buffer>((resolve) => stream.once('end', () => resolve(Buffer.concat(chunks))));
    const closed = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode)));
    const peerCall = { headers, stream, body, closed };
    calls.push(peerCall);
    void answer(peerCall, calls.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessions,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The usual gRPC answer: headers, the messages, trailers with `status`. */
function respond(
  stream: ServerHttp2Stream,
  messages: Buffer[],
  trailers: Record<string, string> = { 'grpc-status': '0' },
) {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  for (const message of messages) stream.write(grpcFrame(message));
  stream.end();
}

/** Headers and `messages`, then nothing more (the call stays open until the client ends it). */
function stall(stream: ServerHttp2Stream, messages: Buffer[] = []) {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
  for (const message of messages) stream.write(grpcFrame(message));
}

async function withPeer(
  answer: (call: PeerCall, index: number) => void | Promise<void>,
  run: (channel: FlightChannel, peer: Peer) => Promise<void>,
): Promise<void> {
  const peer = await startPeer(answer);
  const channel = new FlightChannel({ url: peer.url, token: PEER_TOKEN });
  try {
    await run(channel, peer);
  } finally {
    channel.close();
    await peer.close();
  }
}

/** A TCP relay to `target` whose connections can be reset (RST) at will: a network cut. */
async function startRelay(
  target: string,
): Promise<{ url: string; connections: number; cut(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    cut: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// --- against a fluxgate storage node --------------------------------------------------------------

const T0 = 1_700_000_000_000_000_000n;
const BIG_ROWS = 20_000;
/** Long enough strings that the upstream's batches (2 MB of string data at most) are many. */
const PAD = 'p'.repeat(200);

describe('FlightChannel.doGet against a fluxgate storage node', () => {
  let upstream: FluxgateUpstream;
  let channel: FlightChannel;

  before(async () => {
    upstream = await startFluxgateUpstream(['--query-max-result', 'unlimited']);
    const write = async (body: string) => {
      const written = await call(upstream.node.url, 'POST', '/api/v3/write_lp?db=db1', { token: upstream.token, body });
      assert.equal(written.status, 204, written.text);
    };
    for (let start = 0; start < BIG_ROWS; start += 5_000) {
      const lines: string[] = [];
      for (let i = start; i < start + 5_000; i++) {
        lines.push(`big,host=h${i % 7} v=${i}i,s="${PAD}${i}" ${T0 + BigInt(i) * 1_000_000n}`);
      }
      await write(lines.join('\n'));
    }
    await write('cpu,host=a usage=1.5 1700000000000000000\ncpu,host=b usage=2.5 1700000001000000000');
    channel = new FlightChannel({ url: upstream.node.url, token: upstream.token });
  });

  after(async () => {
    channel?.close();
    if (upstream !== undefined) secrets.push(upstream.token);
    await upstream?.dispose();
  });

  test('a DoGet of many record batches decodes to exactly the rows written, in order', async () => {
    const { rows, batches, error } = await drain(
      channel.doGet(sql('db1', 'SELECT host, v, s FROM big ORDER BY time'), 60_000),
    );
    assert.equal(error, undefined, String(error));
    assert.ok(batches >= 5, `only ${batches} record batches: the test would not cover reassembly`);
    assert.equal(rows.length, BIG_ROWS);
    for (let i = 0; i < BIG_ROWS; i++) {
      const row = rows[i] as { host: string; v: bigint; s: string };
      if (row.host !== `h${i % 7}` || row.v !== BigInt(i) || row.s !== `${PAD}${i}`) {
        assert.deepEqual(row, { host: `h${i % 7}`, v: BigInt(i), s: `${PAD}${i}` }, `row ${i}`);
      }
    }
  });

  test('a small result, with parameters and typed columns, is the upstream answer', async () => {
    const ticket: FlightTicket = {
      ...sql('db1', 'SELECT host, usage FROM cpu WHERE usage > $min'),
      params: { min: 2 },
    };
    const { rows, error } = await drain(channel.doGet(ticket, 10_000));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(rows, [{ host: 'b', usage: 2.5 }]);
  });

  test("a query on a missing table fails with the upstream's own gRPC status and details", async () => {
    const error = await failureOf(channel.doGet(sql('db1', 'SELECT * FROM no_such_table'), 10_000));
    assert.notEqual(error.code, grpcStatus.OK);
    assert.notEqual(error.code, grpcStatus.UNAVAILABLE, 'the upstream answered: it was not unavailable');
    assert.match(error.details, /no_such_table/);
    // The channel is fine afterwards.
    const { rows } = await drain(channel.doGet(sql('db1', 'SELECT count(*) AS n FROM cpu'), 10_000));
    assert.deepEqual(rows, [{ n: 2n }]);
  });

  test('a missing database is NOT_FOUND naming it', async () => {
    const error = await failureOf(channel.doGet(sql('no_such_db', 'SELECT 1'), 10_000));
    assertStatus(error, grpcStatus.NOT_FOUND, /no_such_db/);
  });

  test('a refused credential is UNAUTHENTICATED, and neither the wrong nor the right token is in the error', async () => {
    const wrong = `${upstream.token.slice(0, -6)}zzzzzz`;
    const refused = new FlightChannel({ url: upstream.node.url, token: wrong });
    try {
      const error = await failureOf(refused.doGet(sql('db1', 'SELECT 1'), 10_000));
      assertStatus(error, grpcStatus.UNAUTHENTICATED);
      assertNoSecret(error, [wrong, upstream.token]);
    } finally {
      refused.close();
    }
  });

  test('cancel() in the middle of a large result ends the read with CANCELLED, and the channel serves the next call', async () => {
    const flight = channel.doGet(sql('db1', 'SELECT host, v, s FROM big ORDER BY time'), 60_000);
    const messages = flight.messages[Symbol.asyncIterator]();
    const first = await messages.next();
    assert.equal(first.done, false);
    flight.cancel();
    await assert.rejects(
      async () => {
        for (let step = await messages.next(); !step.done; step = await messages.next()) {
          // what was buffered before the cancel may still come; the end must not be clean
        }
      },
      (error: unknown) => {
        seenErrors.push(error);
        assertStatus(error, grpcStatus.CANCELLED);
        return true;
      },
    );
    const { rows, error } = await drain(channel.doGet(sql('db1', 'SELECT count(*) AS n FROM big'), 10_000));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(rows, [{ n: BigInt(BIG_ROWS) }]);
  });

  test('a deadline past 8 digits of milliseconds (100,000,000 ms) reaches the upstream as that deadline, not as 0', async () => {
    // gRPC's grpc-timeout holds at most 8 digits; the upstream must not read a truncated deadline.
    const { rows, error } = await drain(channel.doGet(sql('db1', 'SELECT count(*) AS n FROM cpu'), 100_000_000));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(rows, [{ n: 2n }]);
  });

  test('a deadline past what one timer holds (30 days) does not fire at once', async () => {
    const { rows, error } = await drain(channel.doGet(sql('db1', 'SELECT count(*) AS n FROM cpu'), 30 * 86_400_000));
    assert.equal(error, undefined, String(error));
    assert.deepEqual(rows, [{ n: 2n }]);
  });

  test('the connection reset in the middle of a large result is UNAVAILABLE, and the next call opens a new one', async () => {
    const relay = await startRelay(upstream.node.url);
    const relayed = new FlightChannel({ url: relay.url, token: upstream.token });
    try {
      const flight = relayed.doGet(sql('db1', 'SELECT host, v, s FROM big ORDER BY time'), 60_000);
      const reading = flight.messages[Symbol.asyncIterator]();
      assert.equal((await reading.next()).done, false, 'the answer began');
      relay.cut();
      const { error } = await readRaw({ messages: { [Symbol.asyncIterator]: () => reading }, cancel: flight.cancel });
      assertStatus(error, grpcStatus.UNAVAILABLE);
      assert.equal(relay.connections, 1);
      const { rows, error: after } = await drain(relayed.doGet(sql('db1', 'SELECT count(*) AS n FROM big'), 10_000));
      assert.equal(after, undefined, String(after));
      assert.deepEqual(rows, [{ n: BigInt(BIG_ROWS) }]);
      assert.equal(relay.connections, 2, 'a new connection');
    } finally {
      relayed.close();
      await relay.close();
    }
  });

  test('close(): every later call fails UNAVAILABLE, without touching the upstream', async () => {
    const closing = new FlightChannel({ url: upstream.node.url, token: upstream.token });
    closing.close();
    const error = await failureOf(closing.doGet(sql('db1', 'SELECT 1'), 10_000));
    assertStatus(error, grpcStatus.UNAVAILABLE, /closed/);
  });
});

// --- against a raw HTTP/2 peer --------------------------------------------------------------------

describe('FlightChannel.doGet against a raw HTTP/2 gRPC peer', () => {
  test('the request is a gRPC DoGet: path, headers, the bearer token, and the ticket as JSON', async () => {
    await withPeer(
      ({ stream }) => respond(stream, []),
      async (channel, peer) => {
        const ticket: FlightTicket = { ...sql('db1', 'SELECT 1'), params: { a: 1 } };
        const { rows, error } = await drain(channel.doGet(ticket, 1_500));
        // No schema message at all: nothing to decode, and no error.
        assert.equal(error, undefined, String(error));
        assert.deepEqual(rows, []);
        const [first] = peer.calls;
        assert.ok(first);
        assert.equal(first.headers[':method'], 'POST');
        assert.equal(first.headers[':path'], '/arrow.flight.protocol.FlightService/DoGet');
        assert.equal(first.headers['content-type'], 'application/grpc');
        assert.equal(first.headers.te, 'trailers');
        assert.equal(first.headers.authorization, `Bearer ${PEER_TOKEN}`);
        assert.equal(first.headers['grpc-timeout'], '1500m');
        const body = await first.body;
        assert.equal(body[0], 0);
        assert.equal(body.readUInt32BE(1), body.length - 5);
        // Ticket { bytes ticket = 1 }: tag 0x0a, a varint length, the JSON.
        const message = body.subarray(5);
        assert.equal(message[0], 0x0a);
        const json = message.subarray(message.length - JSON.stringify(ticket).length);
        assert.deepEqual(JSON.parse(json.toString('utf8')), ticket);
      },
    );
  });

  test('grpc-timeout: no header without a deadline; at most 8 digits and never shorter than the deadline', async () => {
    await withPeer(
      ({ stream }) => respond(stream, []),
      async (channel, peer) => {
        const cases = [Number.POSITIVE_INFINITY, 0.2, 99_999_999, 100_000_000, 30 * 86_400_000, 20 * 365 * 86_400_000];
        for (const deadline of cases) await drain(channel.doGet(sql('db1', 'SELECT 1'), deadline));
        const sent = peer.calls.map((c) => c.headers['grpc-timeout']);
        assert.equal(sent[0], undefined);
        // Past 2^31-1 ms none either: grpc-js servers (fluxgate's own) read one that long as already
        // expired; the client's own timer bounds the call (the test below on the real upstream).
        assert.equal(sent[4], undefined);
        assert.equal(sent[5], undefined);
        const perUnit: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };
        for (let i = 1; i < 4; i++) {
          const header = String(sent[i]);
          const match = /^(\d{1,8})([HMSmun])$/.exec(header);
          assert.ok(match, `grpc-timeout ${header} for ${cases[i]} ms is not gRPC's TimeoutValue`);
          const ms = Number(match[1]) * (perUnit[match[2] as string] as number);
          assert.ok(ms >= (cases[i] as number), `grpc-timeout ${header} is shorter than ${cases[i]} ms`);
          assert.ok(ms <= Math.max(1, (cases[i] as number) * 1.1), `grpc-timeout ${header} is far past ${cases[i]} ms`);
        }
      },
    );
  });

  test('messages split across reads, and many in one write, are reassembled exactly', async () => {
    const table = numberedTable(40, 50);
    const messages = flightMessages(table);
    await withPeer(
      async ({ stream }) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        const bytes = Buffer.concat(messages.map((m) => grpcFrame(m)));
        // The schema's frame a byte at a time (its 5-byte prefix split), then the rest in a single write.
        const schemaEnd = 5 + (messages[0] as Buffer).length;
        for (let i = 0; i < 7; i++) {
          stream.write(bytes.subarray(i, i + 1));
          await sleep(2);
        }
        stream.write(bytes.subarray(7, schemaEnd + 3));
        await sleep(2);
        stream.end(bytes.subarray(schemaEnd + 3));
      },
      async (channel) => {
        const { rows, batches, error } = await drain(channel.doGet(sql('db1', 'q'), 5_000));
        assert.equal(error, undefined, String(error));
        assert.equal(batches, 40);
        assert.deepEqual(
          rows,
          Array.from({ length: 2_000 }, (_, n) => ({ n, s: `row ${n}` })),
        );
      },
    );
  });

  test('a message of several megabytes arriving in many DATA frames decodes whole', async () => {
    const n = Int32Array.from({ length: 400_000 }, (_, i) => i * 3);
    const messages = flightMessages(tableFromArrays({ n }));
    assert.ok((messages[1] as Buffer).length > 1_500_000);
    await withPeer(
      ({ stream }) => respond(stream, messages),
      async (channel) => {
        const { rows, error } = await drain(channel.doGet(sql('db1', 'q'), 10_000));
        assert.equal(error, undefined, String(error));
        assert.equal(rows.length, 400_000);
        assert.deepEqual(rows[399_999], { n: 399_999 * 3 });
      },
    );
  });

  /** Cuts of the peer after it sent the schema and some batches: each must end the call as UNAVAILABLE. */
  const cuts: Array<[string, (stream: ServerHttp2Stream) => void]> = [
    ['the session destroyed', (stream) => stream.session?.destroy()],
    ...(
      [
        ['CANCEL', http2.constants.NGHTTP2_CANCEL],
        ['NO_ERROR', http2.constants.NGHTTP2_NO_ERROR],
        ['INTERNAL_ERROR', http2.constants.NGHTTP2_INTERNAL_ERROR],
      ] as const
    ).map(([name, code]): [string, (stream: ServerHttp2Stream) => void] => [
      `the stream reset (RST_STREAM ${name})`,
      (stream) => stream.close(code),
    ]),
  ];
  for (const [what, cut] of cuts) {
    test(`${what} after some batches is UNAVAILABLE, not a short result`, async () => {
      const messages = flightMessages(numberedTable(10, 100));
      await withPeer(
        async ({ stream }) => {
          stall(stream, messages.slice(0, 4)); // the schema and 3 batches
          await sleep(50);
          cut(stream);
        },
        async (channel) => {
          const { messages: received, error } = await readRaw(channel.doGet(sql('db1', 'q'), 5_000));
          assertStatus(error, grpcStatus.UNAVAILABLE);
          assert.ok(received <= 4, `${received} messages of the 4 sent`);
        },
      );
    });
  }

  test('the TCP connection reset under the call (no GOAWAY, no RST_STREAM) is UNAVAILABLE', async () => {
    const messages = flightMessages(numberedTable(10, 100));
    const peer = await startPeer(({ stream }) => stall(stream, messages.slice(0, 3)));
    const relay = await startRelay(peer.url);
    const channel = new FlightChannel({ url: relay.url, token: PEER_TOKEN });
    try {
      const flight = channel.doGet(sql('db1', 'q'), 5_000);
      const reading = flight.messages[Symbol.asyncIterator]();
      assert.equal((await reading.next()).done, false, 'the answer began');
      relay.cut();
      const { error } = await readRaw({ messages: { [Symbol.asyncIterator]: () => reading }, cancel: flight.cancel });
      assertStatus(error, grpcStatus.UNAVAILABLE);
    } finally {
      channel.close();
      await relay.close();
      await peer.close();
    }
  });

  test('the stream ended after some batches with no trailers (no gRPC status) is UNAVAILABLE', async () => {
    const messages = flightMessages(numberedTable(10, 100));
    await withPeer(
      ({ stream }) => {
        stall(stream, messages.slice(0, 3));
        stream.end();
      },
      async (channel) => {
        const { messages: received, error } = await readRaw(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.UNAVAILABLE, /closed before the query ended/);
        assert.equal(received, 3, 'what came before the cut was read, and then the error');
        // Decoded as the gateway decodes it: an error, not a clean short table.
        const { error: viaArrow } = await drain(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(viaArrow, grpcStatus.UNAVAILABLE);
      },
    );
  });

  test('a call that ends inside a message, even with an OK status, is INTERNAL', async () => {
    const messages = flightMessages(numberedTable(2, 100));
    await withPeer(
      ({ stream }) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        const frame = grpcFrame(messages[1] as Buffer);
        stream.write(grpcFrame(messages[0] as Buffer));
        stream.end(frame.subarray(0, frame.length - 10));
      },
      async (channel) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.INTERNAL, /inside a message/);
      },
    );
  });

  test("an error status in the trailers after some batches is the upstream's code and decoded details", async () => {
    const messages = flightMessages(numberedTable(3, 10));
    const details = 'query result too large: 20 rows (limit «10»)';
    await withPeer(
      ({ stream }) =>
        respond(stream, messages.slice(0, 2), {
          'grpc-status': String(grpcStatus.RESOURCE_EXHAUSTED),
          'grpc-message': encodeURIComponent(details),
        }),
      async (channel) => {
        const { messages: received, error } = await readRaw(channel.doGet(sql('db1', 'q'), 5_000));
        assert.equal(received, 2);
        assertStatus(error, grpcStatus.RESOURCE_EXHAUSTED);
        assert.equal((error as GrpcCallError).details, details);
      },
    );
  });

  test('a trailers-only error answer (the status in the response headers) is that status', async () => {
    await withPeer(
      ({ stream }) => {
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': String(grpcStatus.INVALID_ARGUMENT),
            'grpc-message': 'table%20%27nope%27%20not%20found',
          },
          { endStream: true },
        );
      },
      async (channel) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.INVALID_ARGUMENT);
        assert.equal(error.details, "table 'nope' not found");
      },
    );
  });

  test('HTTP error pages (no gRPC status, a body that is not gRPC) map as gRPC maps the HTTP status', async () => {
    const answers: Array<[number, number]> = [
      [401, grpcStatus.UNAUTHENTICATED],
      [403, grpcStatus.PERMISSION_DENIED],
      [404, grpcStatus.UNIMPLEMENTED],
      [503, grpcStatus.UNAVAILABLE],
      [500, grpcStatus.UNKNOWN],
    ];
    await withPeer(
      ({ stream }, i) => {
        stream.respond({ ':status': (answers[i] as [number, number])[0], 'content-type': 'text/html' });
        stream.end(`<html>nope ${PEER_TOKEN}</html>`);
      },
      async (channel) => {
        for (const [http, code] of answers) {
          const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
          assertStatus(error, code);
          assert.match(error.details, new RegExp(String(http)));
        }
      },
    );
  });

  test('an HTTP 200 answer that is not gRPC (an HTML page) is UNKNOWN naming its content type', async () => {
    await withPeer(
      ({ stream }) => {
        stream.respond({ ':status': 200, 'content-type': 'text/html' });
        stream.end('<html>a proxy</html>');
      },
      async (channel) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.UNKNOWN, /text\/html/);
      },
    );
  });

  test('an upstream that echoes the credential in its error details does not pass it on', async () => {
    await withPeer(
      ({ stream, headers }) =>
        respond(stream, [], {
          'grpc-status': String(grpcStatus.INVALID_ARGUMENT),
          'grpc-message': encodeURIComponent(`bad request (authorization: ${String(headers.authorization)})`),
        }),
      async (channel) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.INVALID_ARGUMENT, /bad request/);
        assertNoSecret(error, [PEER_TOKEN]);
      },
    );
  });

  test('cancel() stops a call the server is still streaming: the read fails CANCELLED and the server sees the stream reset', async () => {
    const messages = flightMessages(numberedTable(2, 10));
    await withPeer(
      ({ stream }) => stall(stream, messages.slice(0, 2)),
      async (channel, peer) => {
        const flight = channel.doGet(sql('db1', 'q'), 10_000);
        const reading = flight.messages[Symbol.asyncIterator]();
        assert.equal((await reading.next()).done, false);
        flight.cancel();
        await assert.rejects(
          async () => {
            while (!(await reading.next()).done) {
              // buffered messages may come first
            }
          },
          (error: unknown) => {
            seenErrors.push(error);
            assertStatus(error, grpcStatus.CANCELLED);
            return true;
          },
        );
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });

  test('cancel() while a read waits for the first message, and cancel() before any read', async () => {
    await withPeer(
      ({ stream }) => stall(stream),
      async (channel, peer) => {
        const waiting = channel.doGet(sql('db1', 'q'), 10_000);
        const read = waiting.messages[Symbol.asyncIterator]().next();
        await new Promise<void>((resolve) => {
          const poll = () => (peer.calls.length > 0 ? resolve() : setTimeout(poll, 5));
          poll();
        });
        waiting.cancel();
        await assert.rejects(read, (error: unknown) => {
          seenErrors.push(error);
          assertStatus(error, grpcStatus.CANCELLED);
          return true;
        });
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);

        const unread = channel.doGet(sql('db1', 'q'), 10_000);
        unread.cancel();
        const error = await failureOf(unread);
        assertStatus(error, grpcStatus.CANCELLED);
        await Promise.all(peer.calls.map((c) => c.closed));
        // Cancelling again, or after the end, is harmless.
        unread.cancel();
        waiting.cancel();
      },
    );
  });

  test('calls read to their end are not reset, even when cancel() follows: 1,500 in a row on one connection', async () => {
    // A server counts resets as an attack (HTTP/2 rapid reset): nghttp2 allows 1,000 at once, then
    // about 33 a second, and closes the connection past that, failing the call under way.
    const messages = flightMessages(numberedTable(1, 2));
    await withPeer(
      ({ stream }) => respond(stream, messages),
      async (channel, peer) => {
        for (let i = 0; i < 1_500; i++) {
          const flight = channel.doGet(sql('db1', 'q'), 10_000);
          for await (const _ of flight.messages) {
            // read to the end
          }
          flight.cancel(); // as the query stream does when it finishes
        }
        assert.equal(peer.calls.length, 1_500);
        assert.equal(peer.sessions.length, 1);
      },
    );
  });

  test('a consumer that stops reading early closes the stream on the server', async () => {
    const messages = flightMessages(numberedTable(5, 10));
    await withPeer(
      ({ stream }) => stall(stream, messages),
      async (channel, peer) => {
        const flight = channel.doGet(sql('db1', 'q'), 10_000);
        for await (const _ of flight.messages) break;
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });

  test('the deadline bounds a call to a server that never answers, and resets the stream', async () => {
    await withPeer(
      () => {
        // never respond
      },
      async (channel, peer) => {
        const started = performance.now();
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 300));
        const took = performance.now() - started;
        assertStatus(error, grpcStatus.DEADLINE_EXCEEDED);
        assert.ok(took >= 290, `failed after ${took} ms, before its deadline`);
        assert.ok(took < 10_000, `the deadline did not bound the call (${took} ms)`);
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });

  test('the deadline also bounds a call that answered some batches and then stalls', async () => {
    const messages = flightMessages(numberedTable(3, 10));
    await withPeer(
      ({ stream }) => stall(stream, messages.slice(0, 2)),
      async (channel, peer) => {
        const { messages: received, error } = await readRaw(channel.doGet(sql('db1', 'q'), 300));
        assertStatus(error, grpcStatus.DEADLINE_EXCEEDED);
        assert.equal(received, 2);
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });

  test('a session the server closed (GOAWAY) is opened again on the next call', async () => {
    const messages = flightMessages(numberedTable(1, 3));
    await withPeer(
      ({ stream }) => respond(stream, messages),
      async (channel, peer) => {
        assert.equal((await drain(channel.doGet(sql('db1', 'q'), 5_000))).rows.length, 3);
        assert.equal((await drain(channel.doGet(sql('db1', 'q'), 5_000))).rows.length, 3);
        assert.equal(peer.sessions.length, 1, 'calls share one connection');
        const first = peer.sessions[0] as ServerHttp2Session;
        const gone = new Promise((resolve) => first.once('close', resolve));
        first.close();
        await gone; // the client closed its side: it has seen the GOAWAY
        const { rows, error } = await drain(channel.doGet(sql('db1', 'q'), 5_000));
        assert.equal(error, undefined, String(error));
        assert.equal(rows.length, 3);
        assert.equal(peer.sessions.length, 2);
      },
    );
  });

  test('a refused connection is UNAVAILABLE "connection refused", without the token', async () => {
    const peer = await startPeer(() => {});
    const url = peer.url;
    await peer.close();
    const channel = new FlightChannel({ url, token: PEER_TOKEN });
    try {
      const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
      assertStatus(error, grpcStatus.UNAVAILABLE, /connection refused/);
      assertNoSecret(error, [PEER_TOKEN]);
    } finally {
      channel.close();
    }
  });

  test('a message over the 64 MiB cap is refused (RESOURCE_EXHAUSTED) from its prefix, and the stream reset', async () => {
    await withPeer(
      ({ stream }) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        const head = Buffer.alloc(5 + 1024);
        head.writeUInt32BE(MAX_MESSAGE_BYTES + 1, 1);
        stream.write(head); // only the prefix and a little: the client must not wait for 64 MiB
      },
      async (channel, peer) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 10_000));
        assertStatus(error, grpcStatus.RESOURCE_EXHAUSTED, new RegExp(String(MAX_MESSAGE_BYTES + 1)));
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });

  test('a compressed message is INTERNAL (the client asks for none)', async () => {
    await withPeer(
      ({ stream }) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.write(grpcFrame(Buffer.from('whatever'), 1));
      },
      async (channel) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.INTERNAL, /compressed/);
      },
    );
  });

  test('a message that is not FlightData is a GrpcCallError (INTERNAL), and the stream is reset', async () => {
    await withPeer(
      ({ stream }) => stall(stream, [Buffer.from([0x12, 0x7f, 0x01])]), // data_header claims 127 bytes, has 1
      async (channel, peer) => {
        const error = await failureOf(channel.doGet(sql('db1', 'q'), 5_000));
        assertStatus(error, grpcStatus.INTERNAL);
        assert.equal(await (peer.calls[0] as PeerCall).closed, http2.constants.NGHTTP2_CANCEL);
      },
    );
  });
});
