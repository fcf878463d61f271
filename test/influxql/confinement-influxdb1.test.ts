// The confined, printed InfluxQL against a real InfluxDB 1.x (Debian's 1.6.7, auth on): it parses
// there, reads the one database it was confined to, and the hostile forms never reach another.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConfinementScope, confineStatement } from '../../src/influxql/confinement.ts';
import { parseQuery } from '../../src/influxql/parser.ts';
import { type Influxdb1, startInfluxdb1, v1Query } from '../helpers/influxdb1.ts';

let influx: Influxdb1;

const scope: ConfinementScope = {
  defaultDatabase: 'metrics',
  readable: new Map([['metrics', 'fg_1_metrics']]),
};

/** Confines a query, sends the printed text upstream, returns the statement's series (or its error). */
async function upstream(text: string) {
  const [parsed] = parseQuery(text);
  const confined = confineStatement(parsed!.statement, scope);
  assert.equal(confined.kind, 'upstream');
  if (confined.kind !== 'upstream') throw new Error('not upstream');
  const body = await influx.query(confined.text, confined.upstreamDatabase);
  return body.results[0]?.series ?? [];
}

before(async () => {
  influx = await startInfluxdb1();
  await influx.query('CREATE DATABASE fg_1_metrics');
  await influx.query('CREATE DATABASE fg_2_secret');
  await influx.write(
    'fg_1_metrics',
    [
      'cpu,host=a,region=eu usage=1,idle=9i 1000000000',
      'cpu,host=b,region=us usage=3,idle=7i 2000000000',
      'mem,host=a free=5 1000000000',
      'we\\"ird\\ m,t\\=g=x v=1 1000000000',
    ].join('\n'),
  );
  await influx.write('fg_2_secret', 'cpu,host=spy usage=666 1000000000\nsecrets,host=spy v=1 1000000000');
});

after(async () => {
  await influx?.dispose();
});

describe('InfluxDB 1.x helper', () => {
  test('auth is on: no credential, or a wrong one, is refused; the admin user works', async () => {
    await assert.rejects(v1Query(influx.url, 'SHOW DATABASES'), /401/);
    await assert.rejects(
      v1Query(influx.url, 'SHOW DATABASES', { username: influx.username, password: 'wrong' }),
      /401/,
    );
    const body = await influx.query('SHOW DATABASES');
    assert.deepEqual(body.results[0]?.series?.[0]?.values?.map((row) => row[0]).sort(), [
      'fg_1_metrics',
      'fg_2_secret',
    ]);
  });

  test('stop and start keep the port, the users and the data', async () => {
    const pid = influx.pid();
    await influx.stop();
    assert.equal(influx.pid(), -1);
    await assert.rejects(fetch(`${influx.url}/ping`));
    await influx.start();
    assert.notEqual(influx.pid(), pid);
    const body = await influx.query('SELECT count(usage) FROM cpu', 'fg_1_metrics');
    assert.equal(body.results[0]?.series?.[0]?.values?.[0]?.[1], 2);
  });
});

describe('confined InfluxQL on InfluxDB 1.6.7', () => {
  test('every rewritten measurement form parses upstream and reads the one database', async () => {
    for (const text of [
      'SELECT usage FROM cpu',
      'SELECT usage FROM autogen.cpu',
      'SELECT usage FROM metrics..cpu',
      'SELECT usage FROM metrics.autogen.cpu',
      'SELECT usage FROM /^c/',
    ]) {
      const series = await upstream(text);
      assert.deepEqual(
        series.map((s) => [s.name, s.values]),
        [
          [
            'cpu',
            [
              [1_000_000_000, 1],
              [2_000_000_000, 3],
            ].map(([t, v]) => [new Date(t! / 1e6).toISOString().replace('.000Z', 'Z'), v]),
          ],
        ],
        text,
      );
    }
  });

  test('quoted identifiers with quotes, backslashes and spaces, strings and regexes survive the trip', async () => {
    const series = await upstream('SELECT v FROM "we\\"ird m" WHERE "t=g" = \'x\'');
    assert.equal(series[0]?.name, 'we"ird m');
    assert.equal(series[0]?.values?.length, 1);
    const regex = await upstream("SELECT usage FROM cpu WHERE host =~ /^(a|b\\/c)$/ AND region != 'it\\'s'");
    assert.equal(regex[0]?.values?.length, 1);
  });

  test('aggregates, GROUP BY time with offset, fill, ORDER BY, LIMIT, tz and subqueries parse upstream', async () => {
    const grouped = await upstream(
      "SELECT mean(usage) AS m, count(idle) FROM cpu WHERE time >= '1970-01-01T00:00:00Z' AND time < 4s GROUP BY time(1s, 0s), host fill(-1) ORDER BY time DESC LIMIT 2 tz('Europe/Paris')",
    );
    assert.deepEqual(grouped.map((s) => s.tags?.host).sort(), ['a', 'b']);
    const sub = await upstream('SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu GROUP BY host) WHERE time < 10s');
    assert.equal(sub[0]?.values?.[0]?.[1], 3);
    const math = await upstream('SELECT usage * 2.0 + 1, -usage, usage / -2 FROM cpu WHERE usage > -1.5 LIMIT 1');
    assert.deepEqual(series0Row(math), [3, -1, -0.5]);
  });

  test('SHOW statements answer for the one database', async () => {
    const measurements = await upstream('SHOW MEASUREMENTS');
    assert.deepEqual(
      measurements[0]?.values?.map((row) => row[0]),
      ['cpu', 'mem', 'we"ird m'],
    );
    const tagKeys = await upstream('SHOW TAG KEYS FROM cpu');
    assert.deepEqual(
      tagKeys[0]?.values?.map((row) => row[0]),
      ['host', 'region'],
    );
    const tagValues = await upstream('SHOW TAG VALUES FROM metrics..cpu WITH KEY IN (host, region)');
    assert.equal(tagValues[0]?.values?.length, 4);
    const fieldKeys = await upstream('SHOW FIELD KEYS FROM cpu');
    assert.deepEqual(fieldKeys[0]?.values, [
      ['idle', 'integer'],
      ['usage', 'float'],
    ]);
    const filtered = await upstream('SHOW MEASUREMENTS WITH MEASUREMENT =~ /^m/ LIMIT 1');
    assert.deepEqual(filtered[0]?.values, [['mem']]);
    const policies = await upstream('SHOW RETENTION POLICIES');
    assert.equal(policies[0]?.values?.[0]?.[0], 'autogen');
  });

  test('with the request db pointing at another database, nothing of it is read', async () => {
    // The statement carries the database itself, so the `db` sent along does not matter.
    const [parsed] = parseQuery('SELECT * FROM /.*/');
    const confined = confineStatement(parsed!.statement, scope);
    assert.equal(confined.kind, 'upstream');
    if (confined.kind !== 'upstream') return;
    const body = await influx.query(confined.text, 'fg_2_secret');
    const names = (body.results[0]?.series ?? []).map((s) => s.name).sort();
    assert.deepEqual(names, ['cpu', 'mem', 'we"ird m']);
    assert.doesNotMatch(JSON.stringify(body), /spy|666/);
  });
});

function series0Row(series: Array<{ values?: unknown[][] }>): unknown[] {
  return series[0]?.values?.[0]?.slice(1) ?? [];
}
