import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let admin: string;
let reader: string;

const q = (sql: string) => encodeURIComponent(sql);

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  const lines = [
    'cpu,host=a,region=eu usage=0.5,count=1i 1732500000000000000',
    'cpu,host=a,region=eu usage=1.5,count=2i 1732500030000000000',
    'cpu,host=b,region=us usage=2.5,count=3i 1732500061000000001',
  ];
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=sensors', { token: admin, body: lines.join('\n') })).status,
    204,
  );
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=secret', { token: admin, body: 'cpu,host=z usage=99 1' }))
      .status,
    204,
  );
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'reader',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read'] }],
    },
  });
  reader = issued.body.token;
});
after(() => server.dispose());

test('json, jsonl, csv and pretty render the same rows; time keeps its nanoseconds', async () => {
  const sql = q('SELECT host, usage, count, time FROM cpu ORDER BY time');
  const json = await call<Array<Record<string, unknown>>>(server.url, 'GET', `/api/v3/query_sql?db=sensors&q=${sql}`, {
    token: reader,
  });
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(json.body[2], { host: 'b', usage: 2.5, count: 3, time: '2024-11-25T02:01:01.000000001Z' });
  const jsonl = await call(server.url, 'GET', `/api/v3/query_sql?db=sensors&q=${sql}&format=jsonl`, { token: reader });
  assert.deepEqual(
    jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    json.body,
  );
  const csv = await call(server.url, 'GET', `/api/v3/query_sql?db=sensors&q=${sql}&format=csv`, { token: reader });
  assert.equal(csv.text.split('\n')[0], 'host,usage,count,time');
  assert.equal(csv.text.split('\n')[3], 'b,2.5,3,2024-11-25T02:01:01.000000001Z');
  const pretty = await call(server.url, 'GET', `/api/v3/query_sql?db=sensors&q=${sql}&format=pretty`, {
    token: reader,
  });
  assert.match(pretty.text, /^\+-+/);
  assert.match(pretty.text, /\| b +\| 2\.5 +\| 3 +\| 2024-11-25T02:01:01\.000000001Z \|/);
  const parquet = await fetch(`${server.url}/api/v3/query_sql?db=sensors&q=${sql}&format=parquet`, {
    headers: { authorization: `Bearer ${reader}` },
  });
  const bytes = Buffer.from(await parquet.arrayBuffer());
  assert.equal(parquet.status, 200);
  assert.equal(bytes.subarray(0, 4).toString(), 'PAR1');
  assert.equal(bytes.subarray(-4).toString(), 'PAR1');
  const unknown = await call<{ field: string }>(server.url, 'GET', `/api/v3/query_sql?db=sensors&q=${sql}&format=xml`, {
    token: reader,
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.field, 'format');
});

test('date_bin buckets like InfluxDB 3 and $params bind', async () => {
  const buckets = await call<Array<{ t: string; n: number }>>(server.url, 'POST', '/api/v3/query_sql', {
    token: reader,
    json: {
      db: 'sensors',
      q: "SELECT date_bin(INTERVAL '1 minute', time) AS t, count(*) AS n FROM cpu GROUP BY 1 ORDER BY 1",
    },
  });
  assert.deepEqual(buckets.body, [
    { t: '2024-11-25T02:00:00Z', n: 2 },
    { t: '2024-11-25T02:01:00Z', n: 1 },
  ]);
  const bound = await call<Array<{ n: number }>>(server.url, 'POST', '/api/v3/query_sql', {
    token: reader,
    json: { db: 'sensors', q: 'SELECT count(*) AS n FROM cpu WHERE host = $host', params: { host: 'a' } },
  });
  assert.deepEqual(bound.body, [{ n: 2 }]);
  const viaGet = await call<Array<{ n: number }>>(
    server.url,
    'GET',
    `/api/v3/query_sql?db=sensors&q=${q('SELECT count(*) AS n FROM cpu WHERE host = $host')}&params=${q('{"host":"b"}')}`,
    { token: reader },
  );
  assert.deepEqual(viaGet.body, [{ n: 1 }]);
});

test('a query cannot reach another database, files, settings or the engine catalog', async () => {
  const refused = [
    'SELECT * FROM secret.cpu',
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "COPY cpu TO '/tmp/fluxgate-leak.csv'",
    "ATTACH '/tmp/fluxgate-leak.duckdb' AS leak",
    'SET threads = 1',
    'PRAGMA database_list',
    'SELECT * FROM duckdb_databases()',
    "SELECT current_setting('threads')",
    'DROP TABLE cpu',
    'SELECT 1; DROP TABLE cpu',
    'INSTALL httpfs',
  ];
  for (const sql of refused) {
    const response = await call<{ code: string; error: string }>(server.url, 'POST', '/api/v3/query_sql', {
      token: reader,
      json: { db: 'sensors', q: sql },
    });
    assert.equal(response.status, 400, sql);
    assert.ok(['QUERY_REJECTED', 'QUERY_FAILED'].includes(response.body.code), `${sql}: ${response.body.code}`);
    assert.ok(!response.text.includes('99'), `${sql} leaked another database's value`);
  }
  assert.equal(existsSync('/tmp/fluxgate-leak.csv'), false);
  assert.equal(existsSync('/tmp/fluxgate-leak.duckdb'), false);
  const still = await call<Array<{ n: number }>>(
    server.url,
    'GET',
    `/api/v3/query_sql?db=sensors&q=${q('SELECT count(*) AS n FROM cpu')}`,
    { token: reader },
  );
  assert.deepEqual(still.body, [{ n: 3 }], 'nothing changed');
});

test('the reader token cannot read another database, _internal, or a missing one', async () => {
  const other = await call(server.url, 'GET', `/api/v3/query_sql?db=secret&q=${q('SELECT * FROM cpu')}`, {
    token: reader,
  });
  assert.equal(other.status, 403);
  const internal = await call(
    server.url,
    'GET',
    `/api/v3/query_sql?db=_internal&q=${q('SELECT * FROM system.tokens')}`,
    { token: reader },
  );
  assert.equal(internal.status, 403);
  const missing = await call(server.url, 'GET', `/api/v3/query_sql?db=nope&q=${q('SELECT 1')}`, { token: reader });
  assert.equal(missing.status, 404);
  const noSql = await call<{ field: string }>(server.url, 'GET', '/api/v3/query_sql?db=sensors', { token: reader });
  assert.equal(noSql.status, 400);
  assert.equal(noSql.body.field, 'q');
});

test('system.tokens in _internal: admin only, InfluxDB 3 columns, never a secret', async () => {
  const response = await call<Array<Record<string, unknown>>>(
    server.url,
    'GET',
    `/api/v3/query_sql?db=_internal&q=${q("SELECT token_id, name, permissions, status FROM system.tokens WHERE permissions NOT LIKE '*%' ORDER BY token_id")}`,
    { token: admin },
  );
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body, [{ token_id: 2, name: 'reader', permissions: 'db:sensors:read', status: 'active' }]);
  const all = await call(server.url, 'GET', `/api/v3/query_sql?db=_internal&q=${q('SELECT * FROM system.tokens')}`, {
    token: admin,
  });
  assert.ok(!all.text.includes(admin) && !all.text.includes(reader));
});
