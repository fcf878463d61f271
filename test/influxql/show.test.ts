import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Principal } from '../../src/auth/principal.ts';
import { Authority } from '../../src/domain/permissions.ts';
import { outsideInfluxql3 } from '../../src/influxql/errors.ts';
import { conformanceHarness, series } from './fixture.ts';
import { type InfluxqlHarness, type PlainStatement, plain } from './harness.ts';

describe('InfluxQL conformance: SHOW, EXPLAIN and statement errors', () => {
  let run: (q: string) => Promise<PlainStatement[]>;
  let h: InfluxqlHarness;
  before(async () => {
    const made = await conformanceHarness();
    run = made.run;
    h = made.h;
  });
  after(() => h.close());

  const cases: Array<[string, PlainStatement]> = [
    [
      'SHOW MEASUREMENTS',
      { series: [series('measurements', ['name'], [['cpu'], ['daily'], ['events'], ['mem'], ['weather']])] },
    ],
    [
      'SHOW MEASUREMENTS WITH MEASUREMENT =~ /^(cpu|mem)$/',
      { series: [series('measurements', ['name'], [['cpu'], ['mem']])] },
    ],
    ['SHOW MEASUREMENTS WITH MEASUREMENT = daily', { series: [series('measurements', ['name'], [['daily']])] }],
    ["SHOW MEASUREMENTS WHERE host = 'b'", { series: [series('measurements', ['name'], [['cpu'], ['mem']])] }],
    ['SHOW MEASUREMENTS LIMIT 2 OFFSET 1', { series: [series('measurements', ['name'], [['daily'], ['events']])] }],
    ["SHOW MEASUREMENTS WHERE host = 'nobody'", { series: [] }],
    [
      'SHOW TAG KEYS',
      {
        series: [
          series('cpu', ['tagKey'], [['host'], ['region']]),
          series('events', ['tagKey'], [['temp']]),
          series('mem', ['tagKey'], [['host']]),
          series('weather', ['tagKey'], [['location']]),
        ],
      },
    ],
    ["SHOW TAG KEYS FROM cpu WHERE host = 'c'", { series: [series('cpu', ['tagKey'], [['host']])] }],
    ['SHOW TAG KEYS FROM /^d/', { series: [] }],
    [
      'SHOW TAG VALUES FROM cpu WITH KEY = region',
      {
        series: [
          series(
            'cpu',
            ['key', 'value'],
            [
              ['region', 'eu'],
              ['region', 'us'],
            ],
          ),
        ],
      },
    ],
    [
      "SHOW TAG VALUES FROM cpu WITH KEY IN (host, region) WHERE host = 'a'",
      {
        series: [
          series(
            'cpu',
            ['key', 'value'],
            [
              ['host', 'a'],
              ['region', 'eu'],
            ],
          ),
        ],
      },
    ],
    [
      'SHOW TAG VALUES WITH KEY =~ /o/',
      {
        series: [
          series(
            'cpu',
            ['key', 'value'],
            [
              ['host', 'a'],
              ['host', 'b'],
              ['host', 'c'],
              ['region', 'eu'],
              ['region', 'us'],
            ],
          ),
          series(
            'mem',
            ['key', 'value'],
            [
              ['host', 'a'],
              ['host', 'b'],
            ],
          ),
          series('weather', ['key', 'value'], [['location', 'paris']]),
        ],
      },
    ],
    [
      'SHOW TAG VALUES FROM cpu WITH KEY != host LIMIT 1',
      { series: [series('cpu', ['key', 'value'], [['region', 'eu']])] },
    ],
    [
      'SHOW FIELD KEYS',
      {
        series: [
          series(
            'cpu',
            ['fieldKey', 'fieldType'],
            [
              ['idle', 'integer'],
              ['note', 'string'],
              ['ok', 'boolean'],
              ['usage', 'float'],
            ],
          ),
          series('daily', ['fieldKey', 'fieldType'], [['v', 'float']]),
          series('events', ['fieldKey', 'fieldType'], [['count', 'integer']]),
          series(
            'mem',
            ['fieldKey', 'fieldType'],
            [
              ['free', 'unsigned'],
              ['used', 'integer'],
            ],
          ),
          series('weather', ['fieldKey', 'fieldType'], [['temp', 'float']]),
        ],
      },
    ],
    [
      'SHOW FIELD KEYS ON conf FROM mem',
      {
        series: [
          series(
            'mem',
            ['fieldKey', 'fieldType'],
            [
              ['free', 'unsigned'],
              ['used', 'integer'],
            ],
          ),
        ],
      },
    ],
    ['SHOW FIELD KEYS ON other', { series: [] }],
    ['SHOW DATABASES', { series: [series('databases', ['name'], [['_internal'], ['conf'], ['other']])] }],
    [
      'SHOW RETENTION POLICIES',
      { series: [series('retention_policies', ['name', 'duration', 'default'], [['autogen', '0s', true]])] },
    ],
    [
      'SHOW RETENTION POLICIES ON other',
      { series: [series('retention_policies', ['name', 'duration', 'default'], [['autogen', '168h0m0s', true]])] },
    ],
    ['SHOW RETENTION POLICIES ON nosuch', { error: 'database not found: nosuch' }],
    ['SHOW SERIES FROM cpu', { error: outsideInfluxql3('SHOW SERIES') }],
    ['DROP MEASUREMENT cpu', { error: outsideInfluxql3('DROP MEASUREMENT') }],
    ['CREATE DATABASE telegraf', { error: outsideInfluxql3('CREATE DATABASE') }],
    ['SELECT usage INTO copy FROM cpu', { error: outsideInfluxql3('SELECT INTO') }],
  ];

  for (const [query, expected] of cases) {
    test(query, async () => assert.deepEqual(await run(query), [expected]));
  }

  test('EXPLAIN shows the SQL each measurement runs; EXPLAIN ANALYZE also runs it', async () => {
    const [explained] = await run("EXPLAIN SELECT mean(usage) FROM cpu WHERE host = 'a' GROUP BY time(1m)");
    const rows = explained!.series![0]!.values;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![0], 'SQL');
    assert.match(String(rows[0]![1]), /^SELECT .*avg\("usage"\).* FROM "cpu" WHERE .*"host" = 'a'/);
    const [analyzed] = await run('EXPLAIN ANALYZE SELECT usage FROM cpu');
    const facts = Object.fromEntries(analyzed!.series![0]!.values.slice(1).map((row) => [row[0], row[1]]));
    assert.equal(facts.rows, '6');
    assert.equal(facts.series, '1');
  });

  test('a statement without a database, or with several, is a statement error; the others still run', async () => {
    assert.deepEqual(plain(await h.query('', 'SHOW MEASUREMENTS; SHOW DATABASES')), [
      { error: "database name required: give the 'db' parameter or name the database in the query" },
      { series: [series('databases', ['name'], [['_internal'], ['conf'], ['other']])] },
    ]);
    assert.deepEqual(plain(await h.query('', 'SELECT v FROM conf..cpu, other..x')), [
      { error: 'a statement reads one database, but this one names conf, other' },
    ]);
    assert.deepEqual(plain(await h.query('other', 'SHOW MEASUREMENTS ON conf LIMIT 1')), [
      { series: [series('measurements', ['name'], [['cpu']])] },
    ]);
  });

  test('a parse error fails the whole query with the position, before anything runs', async () => {
    await assert.rejects(h.query('conf', 'SHOW MEASUREMENTS; SELECT FROM cpu'), {
      code: 'INFLUXQL_INVALID',
      message: 'error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 27',
    });
  });

  test('SHOW DATABASES lists only what the principal may read; other statements need read on their database', async () => {
    const conf = h.directory.byNameOf('conf')!;
    const reader: Principal = {
      kind: 'token',
      tokenId: 7,
      tokenKind: 'database',
      name: 'reader',
      authority: new Authority([{ type: 'db', databases: [conf.id], actions: 16 }]),
      expiresAt: Number.POSITIVE_INFINITY,
      sourceIp: '127.0.0.1',
    } as Principal;
    assert.deepEqual(plain(await h.service.query(reader, { database: '', query: 'SHOW DATABASES' })), [
      { series: [series('databases', ['name'], [['conf']])] },
    ]);
    await assert.rejects(h.service.query(reader, { database: 'other', query: 'SHOW MEASUREMENTS' }), {
      code: 'PERMISSION_DENIED',
    });
    // One refused statement refuses the request: the first statement does not run either.
    await assert.rejects(
      h.service.query(reader, { database: 'conf', query: 'SHOW MEASUREMENTS; SHOW MEASUREMENTS ON other' }),
      {
        code: 'PERMISSION_DENIED',
      },
    );
    await assert.rejects(h.service.query(reader, { database: 'nosuch', query: 'SHOW MEASUREMENTS' }), {
      code: 'PERMISSION_DENIED',
    });
    await assert.rejects(h.service.query(reader, { database: '_internal', query: 'SHOW MEASUREMENTS' }), {
      code: 'PERMISSION_DENIED',
    });
  });
});
