/**
 * Issue 13 for `--storage influxdb1`: two fluxgate gateways on one PostgreSQL catalog in front of
 * Debian's InfluxDB 1.6.7 with auth on (installed when missing), called as one InfluxDB user. A write
 * through A is read through B over InfluxQL (`/query`, `/api/v3/query_influxql`); SQL answers 501
 * naming the upstream; hostile InfluxQL cannot reach another upstream database or server state; the
 * upstream password appears in no log and no response; with the upstream stopped, data requests
 * answer 503 with a reason while token management works.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InfluxDBClient } from '@influxdata/influxdb3-client';
import { eventually, type GatewayCluster, recordingCall, startGateways } from '../helpers/gateways.ts';
import { type Influxdb1, startInfluxdb1 } from '../helpers/influxdb1.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { dbPermission } from '../http/support.ts';

interface V1Answer {
  results: Array<{ error?: string; series?: Array<{ name: string; columns: string[]; values: unknown[][] }> }>;
}

describe('two gateways on one PostgreSQL catalog in front of InfluxDB 1.x with auth on', () => {
  let upstream: Influxdb1 | undefined;
  let cluster: GatewayCluster | undefined;
  let gateways: ServerProcess[] = [];
  let operator = '';
  /** Every response body and header the tests saw, to prove the upstream password is in none. */
  const seen: string[] = [];
  const req = recordingCall(seen);
  const gw = (i: number) => gateways[i] as ServerProcess;
  const v1 = (on: ServerProcess, db: string, q: string, token = operator) =>
    req<V1Answer>(on.url, 'GET', `/query?db=${db}&q=${encodeURIComponent(q)}`, { token });
  const v3 = (on: ServerProcess, db: string, q: string, token = operator) =>
    req<Array<Record<string, unknown>>>(
      on.url,
      'GET',
      `/api/v3/query_influxql?db=${db}&q=${encodeURIComponent(q)}&format=json`,
      { token },
    );
  const write = (on: ServerProcess, db: string, body: string, token = operator, precision = 'nanosecond') =>
    req(on.url, 'POST', `/api/v3/write_lp?db=${db}&precision=${precision}`, { token, body });

  before(async () => {
    upstream = await startInfluxdb1();
    const influx = upstream;
    cluster = await startGateways({
      count: 2,
      storage: 'influxdb1',
      upstreamArgs: (dir) => {
        const credentialFile = join(dir, 'influxdb1-user');
        writeFileSync(credentialFile, `${influx.username}:${influx.password}\n`, { mode: 0o600 });
        return ['--upstream-url', influx.url, '--upstream-token-file', credentialFile];
      },
      scratchPrefix: 'v1wire',
    });
    ({ gateways, operator } = cluster);
  });

  after(async () => {
    await Promise.all([cluster?.dispose(), upstream?.dispose()]);
  });

  test('a write through A is read through B over /query and query_influxql, and lives upstream', async () => {
    for (const db of ['metrics', 'secrets']) {
      const created = await req(gw(0).url, 'POST', '/api/v3/configure/database', { token: operator, json: { db } });
      assert.equal(created.status, 201, created.text);
    }
    const listed = await upstream!.query('SHOW DATABASES');
    const names = listed.results[0]?.series?.[0]?.values?.map((row) => row[0]);
    assert.ok(names?.includes('metrics') && names.includes('secrets'), `the create drove the upstream: ${names}`);

    const written = await write(
      gw(0),
      'metrics',
      'cpu,host=a usage=1 1700000000000000000\ncpu,host=b usage=2.5 1700000000000000001',
    );
    assert.equal(written.status, 204, written.text);
    // Precision keeps its meaning upstream: seconds stay seconds.
    assert.equal((await write(gw(0), 'metrics', 'cpu,host=c usage=3 1700000001', operator, 'second')).status, 204);
    assert.equal((await write(gw(0), 'secrets', 'vault,owner=x pin=4242i 1700000000000000000')).status, 204);

    await eventually(async () => (await v1(gw(1), 'metrics', 'SELECT 1')).status !== 404, 'B knowing metrics');
    const onB = await v1(gw(1), 'metrics', 'SELECT usage, host FROM cpu');
    assert.equal(onB.status, 200, onB.text);
    const series = onB.body.results[0]?.series?.[0];
    assert.deepEqual(series?.columns, ['time', 'usage', 'host']);
    assert.deepEqual(
      series?.values.map((row) => [row[1], row[2]]),
      [
        [1, 'a'],
        [2.5, 'b'],
        [3, 'c'],
      ],
    );
    assert.equal(series?.values[2]?.[0], '2023-11-14T22:13:21Z', 'the seconds write landed on its second');

    const flat = await v3(gw(1), 'metrics', "SELECT usage FROM cpu WHERE host = 'b'");
    assert.equal(flat.status, 200, flat.text);
    assert.equal(flat.body.length, 1, flat.text);
    assert.equal(flat.body[0]?.usage, 2.5);
    assert.equal(flat.body[0]?.['iox::measurement'], 'cpu');

    // Series with different tag keys (GROUP BY *) come out of the flat shape under one column set.
    assert.equal((await write(gw(0), 'metrics', 'mem,region=eu used=7 1700000000000000000')).status, 204);
    const grouped = await v3(gw(1), 'metrics', 'SELECT * FROM cpu, mem GROUP BY *');
    assert.equal(grouped.status, 200, grouped.text);
    const memRow = grouped.body.find((row) => row['iox::measurement'] === 'mem');
    assert.equal(memRow?.region, 'eu', grouped.text);
    assert.equal(memRow?.used, 7, grouped.text);
    assert.equal(grouped.body.filter((row) => row['iox::measurement'] === 'cpu').length, 3, grouped.text);

    const measurements = await v1(gw(1), 'metrics', 'SHOW MEASUREMENTS');
    assert.deepEqual(measurements.body.results[0]?.series?.[0]?.values, [['cpu'], ['mem']], measurements.text);

    // Written through B, read straight from the upstream.
    assert.equal((await write(gw(1), 'metrics', 'cpu,host=d usage=4 1700000000000000002')).status, 204);
    const direct = await upstream!.query('SELECT count(usage) FROM cpu', 'metrics');
    assert.equal(direct.results[0]?.series?.[0]?.values?.[0]?.[1], 4);
    // A line whose field type conflicts with the upstream's comes back under the client's own line number.
    const partial = await write(
      gw(1),
      'metrics',
      'cpu,host=e usage=5 1700000000000000010\ncpu,host=e usage="x" 1700000000000000011',
    );
    assert.equal(partial.status, 400, partial.text);
    assert.deepEqual(
      (partial.body as { data?: Array<{ line_number: number }> }).data?.map((line) => line.line_number),
      [2],
      partial.text,
    );
    const afterPartial = await upstream!.query('SELECT count(usage) FROM cpu', 'metrics');
    assert.equal(afterPartial.results[0]?.series?.[0]?.values?.[0]?.[1], 5, 'the good line was stored');
  });

  test('SQL (query_sql, Flight SQL) answers 501 / UNIMPLEMENTED naming the upstream; Flight InfluxQL works', async () => {
    for (const gateway of gateways) {
      const client = new InfluxDBClient({ host: gateway.url, token: operator });
      try {
        const points = [];
        for await (const point of client.queryPoints("SELECT usage FROM cpu WHERE host = 'b'", 'metrics', {
          type: 'influxql',
        })) {
          points.push(point);
        }
        assert.equal(points.length, 1);
        assert.equal(points[0]!.getField('usage'), 2.5);
        let failure: { code?: string; message?: string } | undefined;
        try {
          for await (const _ of client.query('SELECT 1', 'metrics')) assert.fail('SQL answered');
        } catch (error) {
          failure = error as typeof failure;
        }
        assert.equal(failure?.code, 'UNIMPLEMENTED', String(failure?.message));
        assert.ok(String(failure?.message).includes(upstream!.url), `names the upstream: ${failure?.message}`);
        seen.push(String(failure?.message));
      } finally {
        await client.close();
      }
      const sql = await req(gateway.url, 'GET', '/api/v3/query_sql?db=metrics&q=SELECT+1', { token: operator });
      assert.equal(sql.status, 501, sql.text);
      assert.equal(sql.headers.get('x-fluxgate-error'), 'STORAGE_CAPABILITY_ABSENT');
      assert.ok(sql.text.includes(upstream!.url), `names the upstream: ${sql.text}`);
    }
  });

  test('hostile InfluxQL cannot reach another upstream database or server state', async () => {
    const issued = await req<{ token: string }>(gw(0).url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: { token_name: 'metrics-reader', permissions: [dbPermission(['metrics'], ['read'])] },
    });
    assert.equal(issued.status, 201, issued.text);
    const reader = issued.body.token;
    await eventually(async () => (await v1(gw(1), 'metrics', 'SELECT 1', reader)).status !== 401, 'B knowing it');
    for (const gateway of gateways) {
      const own = await v1(gateway, 'metrics', 'SELECT count(usage) FROM cpu', reader);
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.results[0]?.series?.[0]?.values[0]?.[1], 5, own.text);
      for (const q of [
        'SELECT * FROM secrets..vault',
        'SELECT * FROM "secrets"."autogen"."vault"',
        'SELECT * FROM (SELECT * FROM secrets..vault)',
        'SHOW MEASUREMENTS ON secrets',
      ]) {
        const refused = await v1(gateway, 'metrics', q, reader);
        assert.equal(refused.status, 403, `${q}: ${refused.text}`);
        assert.ok(!refused.text.includes('4242'), `${q} leaked: ${refused.text}`);
      }
      for (const q of [
        'SHOW USERS',
        'SHOW DIAGNOSTICS',
        'DROP DATABASE metrics',
        'SELECT * FROM _internal..httpd',
        'SELECT * INTO secrets..stolen FROM cpu',
      ]) {
        const answer = await v1(gateway, 'metrics', q, reader);
        assert.ok(answer.status === 200 || answer.status >= 400, answer.text);
        const error = answer.status === 200 ? answer.body.results[0]?.error : answer.text;
        assert.ok(error !== undefined && error !== '', `${q} was not refused: ${answer.text}`);
        assert.ok(!answer.text.includes(upstream!.username), `${q} reached the upstream's users: ${answer.text}`);
      }
      const databases = await v1(gateway, 'metrics', 'SHOW DATABASES', reader);
      assert.ok(!databases.text.includes('secrets'), databases.text);
    }
    // The DROP went nowhere.
    const still = await upstream!.query('SHOW DATABASES');
    assert.ok(JSON.stringify(still).includes('"metrics"'));
  });

  test('a deleted database is gone on both gateways; upstream its data waits out the recovery window', async () => {
    const deleted = await req(gw(1).url, 'DELETE', '/api/v3/configure/database?db=secrets', { token: operator });
    assert.ok(deleted.status < 300, deleted.text);
    for (const gateway of gateways) {
      await eventually(
        async () => (await v1(gateway, 'secrets', 'SELECT * FROM vault')).body.results?.[0]?.error !== undefined,
        `${gateway.url} knowing secrets is deleted`,
      );
      const gone = await v1(gateway, 'secrets', 'SELECT * FROM vault');
      assert.match(gone.text, /database not found/);
      assert.ok(!gone.text.includes('4242'), gone.text);
    }
    const kept = await upstream!.query('SELECT pin FROM vault', 'secrets');
    assert.match(JSON.stringify(kept), /4242/);
  });

  test('upstream stopped: 503 with a reason on data and /health while token management works; back: works', async () => {
    await upstream!.stop();
    for (const gateway of gateways) {
      for (const down of [
        await write(gateway, 'metrics', 'cpu,host=z usage=9 1700000000000000009'),
        await v1(gateway, 'metrics', 'SELECT usage FROM cpu'),
        await v3(gateway, 'metrics', 'SELECT usage FROM cpu'),
        await req(gateway.url, 'GET', '/health', { token: operator }),
      ]) {
        assert.equal(down.status, 503, down.text);
        assert.equal(down.headers.get('x-fluxgate-error'), 'UPSTREAM_UNAVAILABLE');
        assert.ok(down.text.includes(upstream!.url), `names the upstream: ${down.text}`);
        assert.match(down.text, /not reachable|did not answer/);
      }
      const minted = await req(gateway.url, 'POST', '/api/v3/enterprise/configure/token', {
        token: operator,
        json: {
          token_name: `while-down-${gateways.indexOf(gateway)}`,
          permissions: [dbPermission(['metrics'], ['read'])],
        },
      });
      assert.equal(minted.status, 201, minted.text);
      assert.equal((await req(gateway.url, 'GET', '/api/v3/configure/token', { token: operator })).status, 200);
    }
    await upstream!.start();
    for (const gateway of gateways) {
      await eventually(
        async () => (await req(gateway.url, 'GET', '/health', { token: operator })).status === 200,
        `${gateway.url} seeing the upstream again`,
      );
      assert.equal((await write(gateway, 'metrics', 'cpu,host=y usage=8 1700000000000000008')).status, 204);
    }
  });

  test('the upstream password appears in no log and no response', () => {
    const password = upstream!.password;
    const basic = Buffer.from(`${upstream!.username}:${password}`).toString('base64');
    assert.ok(password.length > 20);
    assert.ok(seen.length > 40, `checked ${seen.length} responses`);
    for (const text of seen) {
      assert.ok(!text.includes(password) && !text.includes(basic), 'a response carried the upstream password');
    }
    for (const gateway of gateways) {
      assert.ok(gateway.output().length > 0);
      assert.ok(!gateway.output().includes(password), `${gateway.url} logged the upstream password`);
      assert.ok(!gateway.output().includes(basic), `${gateway.url} logged the upstream credential`);
    }
  });
});
