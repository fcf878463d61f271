import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

type TokenName = 'read' | 'write' | 'readwrite' | 'wildcard' | 'none' | 'expired' | 'revoked';
type Target = 'db1' | 'db2' | 'new';
type Endpoint = 'write_lp' | 'v2_write' | 'v1_write' | 'query_get' | 'query_post';
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

/** What InfluxDB 3 Enterprise answers, minus its bugs: 401 for bad tokens, 404 for a missing database, 403 otherwise. */
function expected(token: TokenName, target: Target, endpoint: Endpoint, carrier: Carrier): number {
  if (carrier === 'query_p' && endpoint !== 'v1_write') return 401; // ?p= only counts on the v1 paths
  if (token === 'expired' || token === 'revoked') return 401;
  const isWrite = !endpoint.startsWith('query');
  if (target === 'new') return isWrite && can(token, 'write', 'new') ? 204 : 404;
  if (isWrite) return can(token, 'write', target) ? 204 : 403;
  return can(token, 'read', target) ? 200 : 403;
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
  };
  return (await request[endpoint]()).status;
}

before(async () => {
  server = await startServerProcess({ args: ['--auth-failure-limit', '0'] });
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

after(() => server.dispose());

test('tokens × databases × write and query endpoints × credential carriers', async () => {
  const mismatches: string[] = [];
  let cells = 0;
  for (const token of Object.keys(GRANTS) as TokenName[]) {
    for (const target of ['db1', 'db2', 'new'] as Target[]) {
      for (const endpoint of ['write_lp', 'v2_write', 'v1_write', 'query_get', 'query_post'] as Endpoint[]) {
        for (const carrier of ['bearer', 'token', 'basic', 'query_p'] as Carrier[]) {
          const want = expected(token, target, endpoint, carrier);
          const got = await send(secrets.get(token)!, target, endpoint, carrier);
          cells++;
          if (got !== want) mismatches.push(`${token} ${target} ${endpoint} ${carrier}: expected ${want}, got ${got}`);
        }
      }
    }
  }
  assert.equal(cells, 7 * 3 * 5 * 4);
  assert.deepEqual(mismatches, []);
});

test('no token string reached the server log', () => {
  const log = server.output();
  for (const secret of secrets.values()) assert.ok(!log.includes(secret), 'a token string is in the log');
});
