import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { outsideInfluxql3 } from '../../src/influxql/errors.ts';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let admin: string;
let reader: string;

// 2065-01-07T17:28:51Z and the next two seconds, as InfluxDB 3's own tests write them.
const LINES = [
  'cpu,host=a usage=0.9 2998574931000000000',
  'cpu,host=a usage=0.89 2998574932000000000',
  'cpu,host=b usage=0.85 2998574933000000000',
  'mem,host=a usage=0.5 2998574934000000000',
];

const basic = (token: string) => `Basic ${Buffer.from(`any:${token}`).toString('base64')}`;
const v1 = (params: Record<string, string>) => `/query?${new URLSearchParams(params)}`;

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  for (const db of ['foo', 'bar']) {
    const written = await call(server.url, 'POST', `/api/v3/write_lp?db=${db}`, {
      token: admin,
      body: LINES.join('\n'),
    });
    assert.equal(written.status, 204, written.text);
  }
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'foo-reader',
      permissions: [{ resource_type: 'db', resource_names: ['foo'], actions: ['read'] }],
    },
  });
  reader = issued.body.token;
});
after(() => server.dispose());

describe('/query (v1)', () => {
  test('GET with u/p: the v1 JSON shape, RFC3339 times, and the InfluxDB headers', async () => {
    const response = await call(
      server.url,
      'GET',
      v1({ db: 'foo', q: "SELECT usage FROM cpu WHERE host = 'a'", u: 'any', p: reader }),
    );
    assert.equal(response.status, 200, response.text);
    assert.ok(response.headers.get('x-influxdb-version'));
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(
      response.text,
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","usage"],"values":[["2065-01-07T17:28:51Z",0.9],["2065-01-07T17:28:52Z",0.89]]}]}]}',
    );
  });

  test('the token as Basic password, Token and Bearer all work; epoch gives integer times', async () => {
    for (const authorization of [basic(reader), `Token ${reader}`, `Bearer ${reader}`]) {
      const response = await call(server.url, 'GET', v1({ db: 'foo', q: 'SELECT usage FROM mem', epoch: 's' }), {
        headers: { authorization },
      });
      assert.equal(
        response.text,
        '{"results":[{"statement_id":0,"series":[{"name":"mem","columns":["time","usage"],"values":[[2998574934,0.5]]}]}]}',
      );
    }
    const ns = await call(server.url, 'GET', v1({ db: 'foo', q: 'SELECT usage FROM mem', epoch: 'ns' }), {
      token: reader,
    });
    assert.match(ns.text, /\[\[2998574934000000000,0\.5\]\]/, 'nanoseconds beyond 2^53 are written exactly');
  });

  test('POST: a form body (which wins over the URL) and a raw application/vnd.influxql body', async () => {
    const form = await call(server.url, 'POST', '/query?db=nosuch', {
      token: reader,
      body: new URLSearchParams({ db: 'foo', q: 'SELECT count(usage) FROM cpu' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(
      form.text,
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","count"],"values":[["1970-01-01T00:00:00Z",3]]}]}]}',
    );
    const raw = await call(server.url, 'POST', '/query?db=foo', {
      token: reader,
      body: 'SELECT max(usage) FROM cpu',
      headers: { 'content-type': 'application/vnd.influxql' },
    });
    assert.equal(
      raw.text,
      '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","max"],"values":[["2065-01-07T17:28:51Z",0.9]]}]}]}',
    );
  });

  test('several statements, GROUP BY tags, an empty result and statement errors, all in one 200', async () => {
    const response = await call(
      server.url,
      'GET',
      v1({
        db: 'foo',
        q: "SELECT last(usage) FROM cpu GROUP BY host; SELECT usage FROM cpu WHERE host = 'zzz'; SELECT nope(usage) FROM cpu; SHOW SERIES; SELECT usage FROM nosuchdb..cpu",
      }),
      { token: admin },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      results: [
        {
          statement_id: 0,
          series: [
            { name: 'cpu', tags: { host: 'a' }, columns: ['time', 'last'], values: [['2065-01-07T17:28:52Z', 0.89]] },
            { name: 'cpu', tags: { host: 'b' }, columns: ['time', 'last'], values: [['2065-01-07T17:28:53Z', 0.85]] },
          ],
        },
        { statement_id: 1 },
        { statement_id: 2, error: 'undefined function nope()' },
        { statement_id: 3, error: outsideInfluxql3('SHOW SERIES') },
        { statement_id: 4, error: 'database not found: nosuchdb' },
      ],
    });
  });

  test('a query that does not parse is a 200 with the error, naming the position', async () => {
    const response = await call(server.url, 'GET', v1({ db: 'foo', q: 'SELECT FROM cpu' }), { token: reader });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      results: [
        {
          statement_id: 0,
          error: 'error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8',
        },
      ],
    });
  });

  test('chunked: one JSON document per chunk, partial on the series and the statement until the last', async () => {
    const response = await call(
      server.url,
      'GET',
      v1({
        db: 'foo',
        q: 'SELECT usage FROM cpu, mem',
        epoch: 's',
        chunked: 'true',
        chunk_size: '2',
      }),
      { token: reader },
    );
    const chunks = response.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(chunks, [
      {
        results: [
          {
            statement_id: 0,
            series: [
              {
                name: 'cpu',
                columns: ['time', 'usage'],
                values: [
                  [2998574931, 0.9],
                  [2998574932, 0.89],
                ],
                partial: true,
              },
            ],
            partial: true,
          },
        ],
      },
      {
        results: [
          {
            statement_id: 0,
            series: [{ name: 'cpu', columns: ['time', 'usage'], values: [[2998574933, 0.85]] }],
            partial: true,
          },
        ],
      },
      {
        results: [
          { statement_id: 0, series: [{ name: 'mem', columns: ['time', 'usage'], values: [[2998574934, 0.5]] }] },
        ],
      },
    ]);
  });

  test('Accept: application/csv: name,tags,columns with integer times; pretty=true indents JSON', async () => {
    const csv = await call(server.url, 'GET', v1({ db: 'foo', q: 'SELECT usage FROM cpu GROUP BY host' }), {
      token: reader,
      headers: { accept: 'application/csv' },
    });
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(
      csv.text,
      'name,tags,time,usage\ncpu,host=a,2998574931000000000,0.9\ncpu,host=a,2998574932000000000,0.89\ncpu,host=b,2998574933000000000,0.85\n',
    );
    const pretty = await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW MEASUREMENTS', pretty: 'true' }), {
      token: reader,
    });
    assert.ok(pretty.text.includes('\n    "results": ['), pretty.text);
  });

  test('SHOW DATABASES lists only what the token may read; SHOW RETENTION POLICIES names autogen', async () => {
    const mine = await call(server.url, 'GET', v1({ q: 'SHOW DATABASES' }), { token: reader });
    assert.equal(
      mine.text,
      '{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["foo"]]}]}]}',
    );
    const all = await call(server.url, 'GET', v1({ q: 'SHOW DATABASES' }), { token: admin });
    assert.match(all.text, /"values":\[\["_internal"\],\["bar"\],\["foo"\]\]/);
    const rp = await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW RETENTION POLICIES' }), { token: reader });
    assert.equal(
      rp.text,
      '{"results":[{"statement_id":0,"series":[{"name":"retention_policies","columns":["name","duration","default"],"values":[["autogen","0s",true]]}]}]}',
    );
  });

  test('refusals fail the request: 401 without or with a bad token, 403 for a database the token cannot read', async () => {
    assert.equal((await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW MEASUREMENTS' }))).status, 401);
    assert.equal(
      (await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW MEASUREMENTS', p: 'apiv3_not_a_token' }))).status,
      401,
    );
    const denied = await call<{ error: string; code: string }>(
      server.url,
      'GET',
      v1({ db: 'bar', q: 'SELECT * FROM cpu' }),
      {
        token: reader,
      },
    );
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, 'PERMISSION_DENIED');
    const mixed = await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW MEASUREMENTS; SHOW MEASUREMENTS ON bar' }), {
      token: reader,
    });
    assert.equal(mixed.status, 403);
  });

  test('bad requests: no query, an unknown epoch, an Accept /query cannot answer', async () => {
    const none = await call<{ error: string }>(server.url, 'GET', '/query', { token: reader });
    assert.equal(none.status, 400);
    assert.equal(none.body.error, "missing query parameters 'db' and 'q'");
    const empty = await call<{ error: string }>(server.url, 'POST', '/query?db=foo', { token: reader });
    assert.equal(empty.body.error, 'expected a query to be provided in the query string or body');
    assert.equal(
      (await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW DATABASES', epoch: 'x' }), { token: reader })).status,
      400,
    );
    const accept = await call(server.url, 'GET', v1({ db: 'foo', q: 'SHOW DATABASES' }), {
      token: reader,
      headers: { accept: 'application/x-msgpack' },
    });
    assert.equal(accept.status, 400);
  });
});

describe('/api/v3/query_influxql', () => {
  test('GET: the flat rows with iox::measurement in every format', async () => {
    const base = { db: 'foo', q: 'SELECT host, usage FROM cpu, mem' };
    const json = await call(server.url, 'GET', `/api/v3/query_influxql?${new URLSearchParams(base)}`, {
      token: reader,
    });
    assert.deepEqual(json.body, [
      { 'iox::measurement': 'cpu', time: '2065-01-07T17:28:51Z', host: 'a', usage: 0.9 },
      { 'iox::measurement': 'cpu', time: '2065-01-07T17:28:52Z', host: 'a', usage: 0.89 },
      { 'iox::measurement': 'cpu', time: '2065-01-07T17:28:53Z', host: 'b', usage: 0.85 },
      { 'iox::measurement': 'mem', time: '2065-01-07T17:28:54Z', host: 'a', usage: 0.5 },
    ]);
    const jsonl = await call(
      server.url,
      'GET',
      `/api/v3/query_influxql?${new URLSearchParams({ ...base, format: 'jsonl' })}`,
      { token: reader },
    );
    assert.equal(
      jsonl.text.split('\n')[0],
      '{"iox::measurement":"cpu","time":"2065-01-07T17:28:51Z","host":"a","usage":0.9}',
    );
    const csv = await call(
      server.url,
      'GET',
      `/api/v3/query_influxql?${new URLSearchParams({ ...base, format: 'csv' })}`,
      { token: reader },
    );
    assert.equal(csv.text.split('\n')[0], 'iox::measurement,time,host,usage');
    const pretty = await call(
      server.url,
      'GET',
      `/api/v3/query_influxql?${new URLSearchParams({ ...base, format: 'pretty' })}`,
      { token: reader },
    );
    assert.match(pretty.text, /^\+-+\+/);
    assert.match(pretty.text, /\| iox::measurement \| time +\| host \| usage \|/);
    const parquet = await fetch(
      new URL(`/api/v3/query_influxql?${new URLSearchParams({ ...base, format: 'parquet' })}`, server.url),
      {
        headers: { authorization: `Bearer ${reader}` },
      },
    );
    const bytes = Buffer.from(await parquet.arrayBuffer());
    assert.equal(bytes.subarray(0, 4).toString(), 'PAR1');
  });

  test('POST {db, q, format, params}; GROUP BY tags become columns after time', async () => {
    const response = await call(server.url, 'POST', '/api/v3/query_influxql', {
      token: reader,
      json: { db: 'foo', q: 'SELECT max(usage) FROM cpu WHERE usage > $min GROUP BY host', params: { min: 0.86 } },
    });
    assert.deepEqual(response.body, [{ 'iox::measurement': 'cpu', time: '2065-01-07T17:28:51Z', host: 'a', max: 0.9 }]);
  });

  test('SHOW statements in their InfluxDB 3 shapes', async () => {
    const get = async (q: string, db?: string) =>
      (
        await call(
          server.url,
          'GET',
          `/api/v3/query_influxql?${new URLSearchParams(db === undefined ? { q } : { q, db })}`,
          { token: reader },
        )
      ).body;
    assert.deepEqual(await get('SHOW MEASUREMENTS', 'foo'), [
      { 'iox::measurement': 'measurements', name: 'cpu' },
      { 'iox::measurement': 'measurements', name: 'mem' },
    ]);
    assert.deepEqual(await get('SHOW FIELD KEYS FROM cpu', 'foo'), [
      { 'iox::measurement': 'cpu', fieldKey: 'usage', fieldType: 'float' },
    ]);
    assert.deepEqual(await get('SHOW TAG KEYS ON foo FROM mem'), [{ 'iox::measurement': 'mem', tagKey: 'host' }]);
    assert.deepEqual(await get('SHOW TAG VALUES ON foo FROM cpu WITH KEY = host'), [
      { 'iox::measurement': 'cpu', key: 'host', value: 'a' },
      { 'iox::measurement': 'cpu', key: 'host', value: 'b' },
    ]);
    assert.deepEqual(await get('SHOW DATABASES'), [{ 'iox::database': 'foo', deleted: false }]);
    assert.deepEqual(await get('SHOW RETENTION POLICIES', 'foo'), [
      { 'iox::database': 'foo', name: 'autogen', duration: '0s' },
    ]);
  });

  test('errors: a bad statement, several statements, no or a disagreeing database, another token’s database', async () => {
    const get = (params: Record<string, string>, token = reader) =>
      call<{ error: string; code: string }>(
        server.url,
        'GET',
        `/api/v3/query_influxql?${new URLSearchParams(params)}`,
        { token },
      );
    const parse = await get({ db: 'foo', q: 'select * from' });
    assert.equal(parse.status, 400);
    assert.equal(parse.body.code, 'INFLUXQL_INVALID');
    assert.match(parse.body.error, /^error parsing query: found EOF, expected identifier at line 1, char 14$/);
    const two = await get({ db: 'foo', q: 'SHOW MEASUREMENTS; SHOW DATABASES' });
    assert.equal(two.status, 400);
    assert.match(two.body.error, /only one InfluxQL statement/);
    assert.equal((await get({ q: 'SHOW MEASUREMENTS' })).status, 400);
    assert.equal((await get({ db: 'foo', q: 'SELECT usage FROM bar..cpu' }, admin)).status, 400);
    assert.equal((await get({ db: 'foo', q: 'SELECT nope(usage) FROM cpu' })).status, 400);
    assert.equal((await get({ db: 'nosuch', q: 'SHOW MEASUREMENTS' }, admin)).status, 404);
    assert.equal((await get({ db: 'bar', q: 'SHOW MEASUREMENTS' })).status, 403);
  });
});

/** A request exactly as the client sends it: fetch would not send an empty Content-Type. */
function rawRequest(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('what clients tripped on', () => {
  test('a write with an empty Content-Type is line protocol like any other (Debian influx -import)', async () => {
    for (const path of ['/write?db=foo', '/api/v2/write?bucket=foo', '/api/v3/write_lp?db=foo']) {
      const response = await rawRequest(
        path,
        { 'content-type': '', authorization: `Token ${admin}` },
        'imported,src=cli v=1i 1',
      );
      assert.equal(response.status, 204, `${path}: ${response.text}`);
    }
  });

  test('curl --data with JSON under the form content type queries SQL; a real form body works too', async () => {
    const json = await rawRequest(
      '/api/v3/query_sql',
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${reader}` },
      JSON.stringify({ db: 'foo', q: 'SELECT count(*) AS n FROM cpu' }),
    );
    assert.equal(json.status, 200, json.text);
    assert.deepEqual(JSON.parse(json.text), [{ n: 3 }]);
    const form = await rawRequest(
      '/api/v3/query_sql',
      { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${reader}` },
      new URLSearchParams({ db: 'foo', q: 'SELECT count(*) AS n FROM mem' }).toString(),
    );
    assert.deepEqual(JSON.parse(form.text), [{ n: 1 }]);
  });

  test('a body of a type an endpoint does not take is a 415 that names the type, not one that asks for JSON', async () => {
    const response = await rawRequest(
      '/api/v3/query_sql',
      { 'content-type': 'application/xml', authorization: `Bearer ${reader}` },
      '<q/>',
    );
    assert.equal(response.status, 415);
    assert.equal(
      JSON.parse(response.text).error,
      "this endpoint does not take a body of content type 'application/xml'",
    );
  });

  test('/ping answers a token that can only read, as the v1 clients ping with it', async () => {
    const ping = await call(server.url, 'GET', '/ping', { token: reader });
    assert.equal(ping.status, 200);
    assert.ok(ping.headers.get('x-influxdb-version'));
  });
});
