import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FieldType, InfluxDB } from 'influx';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

/** node-influx, unchanged: the token goes as the password, the user name is ignored. */
let server: ServerProcess;
let admin: string;
let reader: string;

function client(token: string, database = 'sensors'): InfluxDB {
  const url = new URL(server.url);
  return new InfluxDB({
    host: url.hostname,
    port: Number(url.port),
    database,
    username: 'any',
    password: token,
    schema: [{ measurement: 'cpu', fields: { usage: FieldType.FLOAT }, tags: ['host'] }],
  });
}

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  const created = await call(server.url, 'POST', '/api/v3/configure/database', {
    token: admin,
    json: { db: 'sensors' },
  });
  assert.equal(created.status, 201, created.text);
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'sensors-reader',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read'] }],
    },
  });
  reader = issued.body.token;
});
after(() => server.dispose());

test('node-influx writes, then reads with the v1 query API: GROUP BY time and host, times as dates', async () => {
  const now = Date.now();
  const minute = 60_000;
  const start = Math.floor((now - 30 * minute) / (5 * minute)) * 5 * minute;
  await client(admin).writePoints([
    { measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 1 }, timestamp: new Date(start) },
    { measurement: 'cpu', tags: { host: 'a' }, fields: { usage: 3 }, timestamp: new Date(start + minute) },
    { measurement: 'cpu', tags: { host: 'b' }, fields: { usage: 10 }, timestamp: new Date(start + 5 * minute) },
  ]);
  const rows = await client(reader).query<{ time: Date; host: string; mean: number }>(
    'SELECT mean(usage) FROM cpu WHERE time > now() - 1h GROUP BY time(5m), host fill(none)',
  );
  assert.deepEqual(
    rows.map((row) => ({ time: row.time.getTime(), host: row.host, mean: row.mean })),
    [
      { time: start, host: 'a', mean: 2 },
      { time: start + 5 * minute, host: 'b', mean: 10 },
    ],
  );
  assert.deepEqual(
    rows.groups().map((group) => group.tags),
    [{ host: 'a' }, { host: 'b' }],
  );
});

test('node-influx schema helpers: databases the token reads, measurements, tag and field keys', async () => {
  const influx = client(reader);
  assert.deepEqual(await influx.getDatabaseNames(), ['sensors']);
  assert.deepEqual(await influx.getMeasurements(), ['cpu']);
  const fields = await influx.query('SHOW FIELD KEYS');
  assert.deepEqual(
    fields.map((row) => row),
    [{ fieldKey: 'usage', fieldType: 'float' }],
  );
  const [raw] = await influx.queryRaw('SHOW TAG KEYS').then((response: { results: unknown[] }) => response.results);
  assert.deepEqual(raw, { statement_id: 0, series: [{ name: 'cpu', columns: ['tagKey'], values: [['host']] }] });
});

test('node-influx ping() reports the server online with a read-only token, and queries fail with the reason', async () => {
  const [host] = await client(reader).ping(5_000);
  assert.equal(host!.online, true);
  assert.ok(host!.version);
  await assert.rejects(client(reader).query('SELECT nope(usage) FROM cpu'), /undefined function nope\(\)/);
  await assert.rejects(client(reader, 'other').query('SELECT usage FROM cpu'), /403|PERMISSION|may not read/);
});
