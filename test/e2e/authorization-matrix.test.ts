import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { credentials, Client as GrpcClient, Metadata, status } from '@grpc/grpc-js';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

type TokenName = 'read' | 'write' | 'readwrite' | 'wildcard' | 'none' | 'expired' | 'revoked';
type Target = 'db1' | 'db2' | 'new';
type Endpoint =
  | 'write_lp'
  | 'v2_write'
  | 'v1_write'
  | 'query_get'
  | 'query_post'
  | 'v1_query'
  | 'influxql'
  | 'flight_sql'
  | 'flight_influxql';
const ENDPOINTS: Endpoint[] = [
  'write_lp',
  'v2_write',
  'v1_write',
  'query_get',
  'query_post',
  'v1_query',
  'influxql',
  'flight_sql',
  'flight_influxql',
];
const WRITES: ReadonlySet<Endpoint> = new Set(['write_lp', 'v2_write', 'v1_write']);
/** SQL says a database does not exist to any token; InfluxQL only to one that could read it. */
const SQL_READS: ReadonlySet<Endpoint> = new Set(['query_get', 'query_post', 'flight_sql']);
type Carrier = 'bearer' | 'token' | 'basic' | 'query_p';

const GRANTS: Record<TokenName, string[]> = {
  read: ['db:db1:read'],
  write: ['db:db1:write'],
  readwrite: ['db:db1:read,write'],
  wildcard: ['db:*:read,write'],
  none: ['system:health:read'],
  expired: ['db:db1,db2:read,write'],
  revoked: ['db:db1,db2:read,write'],
};

let server: ServerProcess;
let grpc: GrpcClient;
const secrets = new Map<TokenName, string>();
let fresh = 0;

function permission(text: string) {
  const [type, names, actions] = text.split(':') as [string, string, string];
  return { resource_type: type, resource_names: names.split(','), actions: actions.split(',') };
}

function can(token: TokenName, action: 'read' | 'write', target: Target): boolean {
  return GRANTS[token].some((grant) => {
    const [type, names, actions] = grant.split(':') as [string, string, string];
    return type === 'db' && actions.split(',').includes(action) && (names === '*' || names.split(',').includes(target));
  });
}

/**
 * What InfluxDB 3 Enterprise answers, minus its bugs: 401 for bad tokens, 404 for a missing database,
 * 403 otherwise. Flight answers the same as gRPC statuses (UNAUTHENTICATED, NOT_FOUND, PERMISSION_DENIED),
 * written here as the HTTP status they stand for; it has no `?p=`, so that carrier sends no token.
 */
function expected(token: TokenName, target: Target, endpoint: Endpoint, carrier: Carrier): number {
  const v1 = endpoint === 'v1_write' || endpoint === 'v1_query';
  if (carrier === 'query_p' && !v1) return 401; // ?p= only counts on the v1 paths
  if (token === 'expired' || token === 'revoked') return 401;
  const isWrite = WRITES.has(endpoint);
  if (target === 'new') {
    if (isWrite) return can(token, 'write', 'new') ? 204 : 404;
    if (SQL_READS.has(endpoint)) return 404;
    if (!can(token, 'read', 'new')) return 403;
    return endpoint === 'v1_query' ? 200 : 404; // /query reports it as a statement error
  }
  if (isWrite) return can(token, 'write', target) ? 204 : 403;
  return can(token, 'read', target) ? 200 : 403;
}

const GRPC_AS_HTTP: Record<number, number> = {
  [status.OK]: 200,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
};

/** A Flight DoGet, drained; its outcome as the HTTP status it stands for. */
function flight(ticket: object, authorization: string | undefined): Promise<number> {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  const body = Buffer.from(JSON.stringify(ticket));
  // Ticket { bytes ticket = 1 }: tag 0x0a, then the length as a varint (tickets here stay under 16 KiB).
  const length = body.length < 128 ? [body.length] : [(body.length & 0x7f) | 0x80, body.length >> 7];
  const request = Buffer.concat([Buffer.from([0x0a, ...length]), body]);
  const stream = grpc.makeServerStreamRequest(
    '/arrow.flight.protocol.FlightService/DoGet',
    (b: Buffer) => b,
    (b: Buffer) => b,
    request,
    metadata,
  );
  return new Promise((resolve) => {
    stream.on('data', () => {});
    stream.on('error', (error: { code: number }) => resolve(GRPC_AS_HTTP[error.code] ?? 1000 + error.code));
    stream.on('end', () => resolve(200));
  });
}

async function send(token: string, target: Target, endpoint: Endpoint, carrier: Carrier): Promise<number> {
  const db = target === 'new' ? `new${fresh++}` : target;
  const headers: Record<string, string> = {};
  if (carrier === 'bearer') headers.authorization = `Bearer ${token}`;
  if (carrier === 'token') headers.authorization = `Token ${token}`;
  if (carrier === 'basic') headers.authorization = `Basic ${Buffer.from(`telegraf:${token}`).toString('base64')}`;
  const p = carrier === 'query_p' ? `&p=${token}` : '';
  const line = 'cpu,host=m usage=1';
  const sql = encodeURIComponent('SELECT count(*) FROM cpu');
  const authorization = headers.authorization;
  const influxql = encodeURIComponent('SELECT count(usage) FROM cpu');
  const request: Record<Endpoint, () => Promise<{ status: number }>> = {
    write_lp: () => call(server.url, 'POST', `/api/v3/write_lp?db=${db}${p}`, { body: line, headers }),
    v2_write: () => call(server.url, 'POST', `/api/v2/write?bucket=${db}&org=x${p}`, { body: line, headers }),
    v1_write: () => call(server.url, 'POST', `/write?db=${db}${p}`, { body: line, headers }),
    query_get: () => call(server.url, 'GET', `/api/v3/query_sql?db=${db}&q=${sql}${p}`, { headers }),
    query_post: () =>
      call(server.url, 'POST', `/api/v3/query_sql${p ? `?${p.slice(1)}` : ''}`, {
        json: { db, q: 'SELECT count(*) FROM cpu' },
        headers,
      }),
    v1_query: () => call(server.url, 'GET', `/query?db=${db}&q=${influxql}${p}`, { headers }),
    influxql: () => call(server.url, 'GET', `/api/v3/query_influxql?db=${db}&q=${influxql}${p}`, { headers }),
    flight_sql: async () => ({
      status: await flight({ database: db, sql_query: 'SELECT count(*) FROM cpu' }, authorization),
    }),
    flight_influxql: async () => ({
      status: await flight(
        { database: db, sql_query: 'SELECT count(usage) FROM cpu', query_type: 'influxql' },
        authorization,
      ),
    }),
  };
  return (await request[endpoint]()).status;
}

before(async () => {
  server = await startServerProcess({ args: ['--auth-failure-limit', '0'] });
  grpc = new GrpcClient(new URL(server.url).host, credentials.createInsecure());
  const admin = await bootstrap(server.url);
  for (const db of ['db1', 'db2']) {
    assert.equal(
      (await call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, { token: admin, body: 'cpu,host=a usage=1' }))
        .status,
      204,
    );
  }
  for (const [name, grants] of Object.entries(GRANTS) as Array<[TokenName, string[]]>) {
    const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: admin,
      json: { token_name: name, permissions: grants.map(permission), expiry_secs: name === 'expired' ? 1 : null },
    });
    assert.equal(issued.status, 201, issued.text);
    secrets.set(name, issued.body.token);
  }
  assert.equal(
    (await call(server.url, 'DELETE', '/api/v3/configure/token?token_name=revoked', { token: admin })).status,
    200,
  );
  await new Promise((resolve) => setTimeout(resolve, 1100));
});

after(async () => {
  grpc.close();
  await server.dispose();
});

test('tokens × databases × write, SQL, InfluxQL and Flight endpoints × credential carriers', async () => {
  const mismatches: string[] = [];
  let cells = 0;
  for (const token of Object.keys(GRANTS) as TokenName[]) {
    for (const target of ['db1', 'db2', 'new'] as Target[]) {
      for (const endpoint of ENDPOINTS) {
        for (const carrier of ['bearer', 'token', 'basic', 'query_p'] as Carrier[]) {
          const want = expected(token, target, endpoint, carrier);
          const got = await send(secrets.get(token)!, target, endpoint, carrier);
          cells++;
          if (got !== want) mismatches.push(`${token} ${target} ${endpoint} ${carrier}: expected ${want}, got ${got}`);
        }
      }
    }
  }
  assert.equal(cells, 7 * 3 * ENDPOINTS.length * 4);
  assert.deepEqual(mismatches, []);
});

test('no token string reached the server log', () => {
  const log = server.output();
  for (const secret of secrets.values()) assert.ok(!log.includes(secret), 'a token string is in the log');
});
