import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InfluxDB, Point as V2Point } from '@influxdata/influxdb-client';
import { InfluxDBClient, Point } from '@influxdata/influxdb3-client';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

let server: ServerProcess;
let admin: string;
let writer: string;

async function count(measurement: string): Promise<number> {
  const response = await call<Array<{ n: number }>>(
    server.url,
    'GET',
    `/api/v3/query_sql?db=sensors&q=${encodeURIComponent(`SELECT count(*) AS n FROM ${measurement}`)}`,
    {
      token: admin,
    },
  );
  assert.equal(response.status, 200, response.text);
  return response.body[0]!.n;
}

before(async () => {
  server = await startServerProcess();
  admin = await bootstrap(server.url);
  assert.equal(
    (await call(server.url, 'POST', '/api/v3/configure/database', { token: admin, json: { db: 'sensors' } })).status,
    201,
  );
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'writer',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['write'] }],
    },
  });
  writer = issued.body.token;
});

after(() => server.dispose());

test('@influxdata/influxdb3-client writes with its defaults (Token scheme, /api/v2/write, gzip above 1 KB)', async () => {
  const client = new InfluxDBClient({ host: server.url, token: writer, database: 'sensors' });
  try {
    const points = Array.from({ length: 200 }, (_, i) =>
      Point.measurement('v3client')
        .setTag('host', `h${i % 7}`)
        .setFloatField('usage', i / 10)
        .setIntegerField('n', i)
        .setTimestamp(new Date(1_700_000_000_000 + i)),
    );
    await client.write(points);
    await client.write('v3client,host=line usage=1.5 1700000001000000000');
  } finally {
    await client.close();
  }
  assert.equal(await count('v3client'), 201);
});

test('@influxdata/influxdb3-client with the Bearer scheme and noSync uses /api/v3/write_lp', async () => {
  const client = new InfluxDBClient({
    host: server.url,
    token: writer,
    database: 'sensors',
    authScheme: 'Bearer',
    writeOptions: { noSync: true },
  });
  try {
    await client.write('v3nosync,host=a usage=1 1700000000000000000');
  } finally {
    await client.close();
  }
  assert.equal(await count('v3nosync'), 1);
});

test('@influxdata/influxdb3-client surfaces a 401 for a revoked token', async () => {
  const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
    token: admin,
    json: {
      token_name: 'short-lived',
      permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['write'] }],
    },
  });
  assert.equal(
    (await call(server.url, 'DELETE', '/api/v3/configure/token?token_name=short-lived', { token: admin })).status,
    200,
  );
  const client = new InfluxDBClient({ host: server.url, token: issued.body.token, database: 'sensors' });
  try {
    await assert.rejects(
      client.write('v3client,host=x usage=1'),
      (error: { statusCode?: number }) => error.statusCode === 401,
    );
  } finally {
    await client.close();
  }
});

test('@influxdata/influxdb-client (v2) writes through its batching write API', async () => {
  const writeApi = new InfluxDB({ url: server.url, token: writer }).getWriteApi('any-org', 'sensors', 'ms', {
    maxRetries: 0,
  });
  for (let i = 0; i < 150; i++) {
    writeApi.writePoint(
      new V2Point('v2client')
        .tag('host', `h${i % 3}`)
        .floatField('usage', i)
        .timestamp(new Date(1_700_000_000_000 + i)),
    );
  }
  await writeApi.close();
  assert.equal(await count('v2client'), 150);
});
