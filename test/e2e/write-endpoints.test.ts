import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bootstrap, call } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let admin: string;

async function rows(db: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const response = await call<Array<Record<string, unknown>>>(server.url, 'POST', '/api/v3/query_sql', {
    token: admin,
    json: { db, q: sql },
  });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

before(async () => {
  server = await startServerProcess({ args: ['--max-body-size', '20000'] });
  admin = await bootstrap(server.url);
});
after(() => server.dispose());

describe('POST /api/v3/write_lp', () => {
  test('204, every precision name scales timestamps to nanoseconds', async () => {
    const cases: Array<[string, string]> = [
      ['ns', '1700000000000000000'],
      ['nanosecond', '1700000000000000001'],
      ['us', '1700000000000002'],
      ['microsecond', '1700000000000003'],
      ['ms', '1700000000004'],
      ['millisecond', '1700000000005'],
      ['s', '1700000006'],
      ['second', '1700000007'],
    ];
    for (const [precision, ts] of cases) {
      const response = await call(server.url, 'POST', `/api/v3/write_lp?db=prec&precision=${precision}`, {
        token: admin,
        body: `m,p=${precision} v=1 ${ts}`,
      });
      assert.equal(response.status, 204, `${precision}: ${response.text}`);
    }
    const stored = await rows('prec', 'SELECT p, CAST(epoch_ns(time) AS VARCHAR) AS ns FROM m ORDER BY time');
    assert.deepEqual(
      stored.map((r) => r.ns),
      [
        '1700000000000000000',
        '1700000000000000001',
        '1700000000000002000',
        '1700000000000003000',
        '1700000000004000000',
        '1700000000005000000',
        '1700000006000000000',
        '1700000007000000000',
      ],
    );
    const bad = await call<{ field: string }>(server.url, 'POST', '/api/v3/write_lp?db=prec&precision=h', {
      token: admin,
      body: 'm v=1',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'precision');
  });

  test('a partial write keeps the good lines and names each bad one', async () => {
    const body = [
      'cpu,host=a usage=1 1',
      '# a comment',
      'cpu,host=b usage=oops 2',
      '',
      'cpu,host=c usage="text" 3',
      'cpu,host=d usage=4 4',
    ].join('\n');
    const response = await call<{
      error: string;
      data: Array<{ line_number: number; error_message: string; original_line: string }>;
    }>(server.url, 'POST', '/api/v3/write_lp?db=partial', { token: admin, body });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'partial write of line protocol occurred');
    assert.deepEqual(
      response.body.data.map((d) => d.line_number),
      [3, 5],
    );
    assert.match(response.body.data[1]!.error_message, /usage/);
    assert.deepEqual(
      (await rows('partial', 'SELECT host FROM cpu ORDER BY host')).map((r) => r.host),
      ['a', 'd'],
    );
  });

  test('accept_partial=false stores nothing from a batch with a bad line', async () => {
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=strict&accept_partial=false', {
      token: admin,
      body: 'cpu,host=a usage=1\ncpu,host=b usage=',
    });
    assert.equal(response.status, 400);
    const query = await call(server.url, 'GET', '/api/v3/query_sql?db=strict&q=SELECT+1', { token: admin });
    assert.equal(query.status, 200, 'the database was created by the write');
    const table = await call<{ code: string }>(server.url, 'GET', '/api/v3/query_sql?db=strict&q=SELECT+*+FROM+cpu', {
      token: admin,
    });
    assert.equal(table.status, 400);
    assert.equal(table.body.code, 'QUERY_FAILED');
  });

  test('accept_partial=false is atomic: a type conflict on a later line stores nothing, and says how many', async () => {
    const seed = await call(server.url, 'POST', '/api/v3/write_lp?db=atomic', {
      token: admin,
      body: 'cpu,host=a usage=1 1',
    });
    assert.equal(seed.status, 204, seed.text);
    const response = await call<{ error: string; data: Array<{ line_number: number }> }>(
      server.url,
      'POST',
      '/api/v3/write_lp?db=atomic&accept_partial=false',
      { token: admin, body: 'cpu,host=b usage=2,extra=1 2\nnew_table v=1 3\ncpu,host=c usage="text" 3' },
    );
    assert.equal(response.status, 400, response.text);
    assert.equal(
      response.body.error,
      'no lines were written: 1 line was rejected and accept_partial=false refuses the whole batch',
    );
    assert.deepEqual(
      response.body.data.map((d) => d.line_number),
      [3],
    );
    assert.deepEqual(await rows('atomic', 'SELECT * FROM cpu'), [
      { host: 'a', time: '1970-01-01T00:00:01Z', usage: 1 },
    ]);
    const missing = await call(server.url, 'GET', '/api/v3/query_sql?db=atomic&q=SELECT+*+FROM+new_table', {
      token: admin,
    });
    assert.equal(missing.status, 400, 'the table the refused batch would have created does not exist');
  });

  test('the v3 endpoint guesses the precision from the magnitude by default (auto), as InfluxDB 3 does', async () => {
    const body = [
      'm,u=s v=1 1732500000',
      'm,u=ms v=1 1732500000123',
      'm,u=us v=1 1732500000123456',
      'm,u=ns v=1 1732500000123456789',
    ];
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=auto', {
      token: admin,
      body: body.join('\n'),
    });
    assert.equal(response.status, 204, response.text);
    const explicit = await call(server.url, 'POST', '/api/v3/write_lp?db=auto&precision=auto', {
      token: admin,
      body: 'm,u=explicit v=1 1732500001',
    });
    assert.equal(explicit.status, 204, explicit.text);
    assert.deepEqual(await rows('auto', 'SELECT u, CAST(epoch_ns(time) AS VARCHAR) AS ns FROM m ORDER BY u'), [
      { u: 'explicit', ns: '1732500001000000000' },
      { u: 'ms', ns: '1732500000123000000' },
      { u: 'ns', ns: '1732500000123456789' },
      { u: 's', ns: '1732500000000000000' },
      { u: 'us', ns: '1732500000123456000' },
    ]);
  });

  test("a timestamp outside InfluxDB's range (2^63-1, the value for infinity) is refused, not stored as infinity", async () => {
    const response = await call<{ data: Array<{ line_number: number; error_message: string }> }>(
      server.url,
      'POST',
      '/api/v3/write_lp?db=range&precision=ns',
      { token: admin, body: 'm v=1 9223372036854775807\nm v=2 9223372036854775806\nm v=3 -9223372036854775807' },
    );
    assert.equal(response.status, 400, response.text);
    assert.deepEqual(
      response.body.data.map((d) => d.line_number),
      [1, 3],
    );
    assert.match(response.body.data[0]!.error_message, /out of range/);
    assert.deepEqual(await rows('range', 'SELECT v, CAST(epoch_ns(time) AS VARCHAR) AS ns FROM m'), [
      { v: 2, ns: '9223372036854775806' },
    ]);
  });

  test('measurement names: a 600-byte one (the body limit here is 20 kB), a control character and invalid UTF-8 are refused', async () => {
    const body = Buffer.concat([
      Buffer.from(`${'m'.repeat(600)} v=1 1\nok v=1 1\nbad\tname v=1 1\n`),
      Buffer.from([0x78, 0xff, 0xfe, 0x20, 0x76, 0x3d, 0x31]),
    ]);
    const response = await call<{ data: Array<{ line_number: number; error_message: string }> }>(
      server.url,
      'POST',
      '/api/v3/write_lp?db=names',
      { token: admin, body },
    );
    assert.equal(response.status, 400, response.text);
    assert.deepEqual(
      response.body.data.map((d) => [d.line_number, d.error_message.replace(/'.*'/, "'…'")]),
      [
        [1, "measurement name '…' is longer than 512 bytes"],
        [3, "measurement name '…' contains the control character U+0009"],
        [4, 'the line is not valid UTF-8'],
      ],
    );
    assert.deepEqual(await rows('names', 'SELECT v FROM ok'), [{ v: 1 }]);
  });

  test('a bad no_sync is a 400 naming it, and the write stores nothing', async () => {
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=nosync&no_sync=maybe', {
      token: admin,
      body: 'cpu,host=a usage=1',
    });
    assert.equal(response.status, 400, response.text);
    assert.match(response.text, /no_sync.*maybe/);
    const query = await call(server.url, 'GET', '/api/v3/query_sql?db=nosync&q=SELECT+1', { token: admin });
    assert.equal(query.status, 404, 'the database was not even created');
  });

  test('no_sync=true answers 204 and the next query sees the points', async () => {
    const response = await call(server.url, 'POST', '/api/v3/write_lp?db=fastack&no_sync=true&precision=s', {
      token: admin,
      body: 'cpu,host=a usage=1 1700000000\ncpu,host=b usage=2 1700000001',
    });
    assert.equal(response.status, 204, response.text);
    assert.deepEqual(await rows('fastack', 'SELECT host, usage FROM cpu ORDER BY host'), [
      { host: 'a', usage: 1 },
      { host: 'b', usage: 2 },
    ]);
  });

  test('gzip bodies are accepted; the size limit applies after gunzip; other encodings are refused', async () => {
    const small = gzipSync(Buffer.from('gz,host=a v=1 1\ngz,host=b v=2 2'));
    assert.equal(
      (
        await call(server.url, 'POST', '/api/v3/write_lp?db=gz', {
          token: admin,
          body: small,
          headers: { 'content-encoding': 'gzip' },
        })
      ).status,
      204,
    );
    assert.equal((await rows('gz', 'SELECT count(*) AS n FROM gz'))[0]!.n, 2);
    const bomb = gzipSync(Buffer.from(`${'gz,host=a v=1\n'.repeat(5000)}`));
    assert.ok(bomb.length < 20_000);
    const tooBig = await call<{ code: string }>(server.url, 'POST', '/api/v3/write_lp?db=gz', {
      token: admin,
      body: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.code, 'BODY_TOO_LARGE');
    const notGzip = await call(server.url, 'POST', '/api/v3/write_lp?db=gz', {
      token: admin,
      body: 'x',
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(notGzip.status, 400);
    const brotli = await call(server.url, 'POST', '/api/v3/write_lp?db=gz', {
      token: admin,
      body: 'x',
      headers: { 'content-encoding': 'br' },
    });
    assert.equal(brotli.status, 415);
    const raw = await call(server.url, 'POST', '/api/v3/write_lp?db=gz', { token: admin, body: 'x'.repeat(30_000) });
    assert.equal(raw.status, 413);
    assert.equal((await rows('gz', 'SELECT count(*) AS n FROM gz'))[0]!.n, 2, 'nothing half-written');
  });

  test('a type conflict is a per-line error, never a silent cast', async () => {
    assert.equal(
      (await call(server.url, 'POST', '/api/v3/write_lp?db=types', { token: admin, body: 'm v=1i 1' })).status,
      204,
    );
    const response = await call<{ data: Array<{ error_message: string }> }>(
      server.url,
      'POST',
      '/api/v3/write_lp?db=types',
      {
        token: admin,
        body: 'm v=1.5 2\nm v=2i 3',
      },
    );
    assert.equal(response.status, 400);
    assert.match(response.body.data[0]!.error_message, /v/);
    assert.deepEqual(await rows('types', 'SELECT v FROM m ORDER BY time'), [{ v: 1 }, { v: 2 }]);
  });

  test('missing db is a 400 naming the parameter', async () => {
    const response = await call<{ field: string }>(server.url, 'POST', '/api/v3/write_lp', {
      token: admin,
      body: 'm v=1',
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.field, 'db');
  });
});

describe('v2 and v1 write endpoints keep their own error shapes', () => {
  test('/api/v2/write: 204, and {code, message} for bad lines', async () => {
    assert.equal(
      (
        await call(server.url, 'POST', '/api/v2/write?bucket=legacy&org=o&precision=s', {
          token: admin,
          body: 'm v=1 1700000000',
        })
      ).status,
      204,
    );
    const bad = await call<{ code: string; message: string }>(server.url, 'POST', '/api/v2/write?bucket=legacy', {
      token: admin,
      body: 'm v=',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'invalid');
    assert.match(bad.body.message, /^partial write: line 1: /);
    const missing = await call<{ code: string }>(server.url, 'POST', '/api/v2/write?org=o', {
      token: admin,
      body: 'm v=1',
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'invalid');
  });

  test('/write: 204 with ?p= and v1 precisions, {error} for bad lines', async () => {
    assert.equal(
      (await call(server.url, 'POST', `/write?db=legacy&precision=u&p=${admin}`, { body: 'm v=2 1700000000000001' }))
        .status,
      204,
    );
    assert.equal(
      (
        await call(server.url, 'POST', `/write?db=legacy&precision=n&u=someone&p=${admin}`, {
          body: 'm v=3 1700000000000000002',
        })
      ).status,
      204,
    );
    const bad = await call<{ error: string }>(server.url, 'POST', `/write?db=legacy&p=${admin}`, { body: 'm v=1\nm' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /partial write: line 2/);
    assert.equal((await rows('legacy', 'SELECT count(*) AS n FROM m'))[0]!.n, 4);
    assert.ok(!server.output().includes(admin), 'the ?p= token is redacted from the log');
  });
});

test('deleting a database removes its files; a new database with the name starts empty', async () => {
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=doomed', { token: admin, body: 'm v=1 1' })).status,
    204,
  );
  const files = () => readdirSync(join(server.dataDir, 'dbs')).filter((f) => f.length > 0);
  const before = files();
  assert.equal(
    (await call(server.url, 'DELETE', '/api/v3/configure/database?db=doomed', { token: admin })).status,
    200,
  );
  const removed = before.filter((f) => !files().includes(f));
  assert.ok(removed.length >= 1, 'the database file is gone');
  for (const file of removed) assert.equal(existsSync(join(server.dataDir, 'dbs', file)), false);
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/write_lp?db=doomed', { token: admin, body: 'm v=2 2' })).status,
    204,
  );
  assert.deepEqual(await rows('doomed', 'SELECT v FROM m'), [{ v: 2 }]);
});
