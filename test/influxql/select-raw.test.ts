import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { at, conformanceHarness, series } from './fixture.ts';
import type { PlainStatement } from './harness.ts';

describe('InfluxQL conformance: raw SELECT over real data', () => {
  let run: (q: string) => Promise<PlainStatement[]>;
  let close: () => Promise<void>;
  before(async () => {
    const { h, run: r } = await conformanceHarness();
    run = r;
    close = () => h.close();
  });
  after(() => close());

  const cases: Array<[string, PlainStatement]> = [
    [
      'SELECT usage FROM cpu',
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(0), 1],
              [at(5), 10],
              [at(10), 3],
              [at(20), 2],
              [at(30), 20],
              [at(40), 7],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT usage, host FROM cpu WHERE host = 'a'",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage', 'host'],
            [
              [at(0), 1, 'a'],
              [at(10), 3, 'a'],
              [at(20), 2, 'a'],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT * FROM cpu WHERE host = 'b'",
      {
        series: [
          series(
            'cpu',
            ['time', 'host', 'idle', 'note', 'ok', 'region', 'usage'],
            [
              [at(5), 'b', 5, null, null, 'us', 10],
              [at(30), 'b', null, null, null, 'us', 20],
            ],
          ),
        ],
      },
    ],
    ["SELECT usage FROM cpu WHERE region = ''", { series: [series('cpu', ['time', 'usage'], [[at(40), 7]])] }],
    [
      "SELECT usage FROM cpu WHERE region != 'eu'",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(30), 20],
              [at(40), 7],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu WHERE host =~ /^[ab]$/ AND usage > 2',
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(10), 3],
              [at(30), 20],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu WHERE host !~ /a/',
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(30), 20],
              [at(40), 7],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT usage FROM cpu WHERE (host = 'a' OR host = 'c') AND NOT_A_TAG = ''",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(0), 1],
              [at(10), 3],
              [at(20), 2],
              [at(40), 7],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT usage * 2 + 1 AS x, idle / 4, usage + idle FROM cpu WHERE host = 'a'",
      {
        series: [
          series(
            'cpu',
            ['time', 'x', 'idle', 'usage_idle'],
            [
              [at(0), 3, 2.5, 11],
              [at(10), 7, 5, 23],
              [at(20), 5, 7.5, 32],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu GROUP BY host',
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(0), 1],
              [at(10), 3],
              [at(20), 2],
            ],
            { host: 'a' },
          ),
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(30), 20],
            ],
            { host: 'b' },
          ),
          series('cpu', ['time', 'usage'], [[at(40), 7]], { host: 'c' }),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu GROUP BY region',
      {
        series: [
          series('cpu', ['time', 'usage'], [[at(40), 7]], { region: '' }),
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(0), 1],
              [at(10), 3],
              [at(20), 2],
            ],
            { region: 'eu' },
          ),
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(30), 20],
            ],
            { region: 'us' },
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu GROUP BY host LIMIT 1 OFFSET 1',
      {
        series: [
          series('cpu', ['time', 'usage'], [[at(10), 3]], { host: 'a' }),
          series('cpu', ['time', 'usage'], [[at(30), 20]], { host: 'b' }),
        ],
      },
    ],
    [
      "SELECT usage FROM cpu WHERE host = 'a' ORDER BY time DESC LIMIT 2",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(20), 2],
              [at(10), 3],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu GROUP BY * ORDER BY time DESC LIMIT 1',
      {
        series: [
          series('cpu', ['time', 'usage'], [[at(20), 2]], { host: 'a', region: 'eu' }),
          series('cpu', ['time', 'usage'], [[at(30), 20]], { host: 'b', region: 'us' }),
          series('cpu', ['time', 'usage'], [[at(40), 7]], { host: 'c', region: '' }),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu GROUP BY /^reg/, nosuchtag LIMIT 1',
      {
        series: [
          series('cpu', ['time', 'usage'], [[at(40), 7]], { nosuchtag: '', region: '' }),
          series('cpu', ['time', 'usage'], [[at(0), 1]], { nosuchtag: '', region: 'eu' }),
          series('cpu', ['time', 'usage'], [[at(5), 10]], { nosuchtag: '', region: 'us' }),
        ],
      },
    ],
    [
      "SELECT usage FROM cpu WHERE time >= '2024-01-01T00:00:10Z' AND time < '2024-01-01T00:00:30Z'",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(10), 3],
              [at(20), 2],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT usage FROM cpu WHERE time > 1704067210s AND time <= 1704067230000000000',
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(20), 2],
              [at(30), 20],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT usage FROM cpu WHERE time = '2024-01-01 00:00:40' OR time = '2024-01-01T00:00:05Z'",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage'],
            [
              [at(5), 10],
              [at(40), 7],
            ],
          ),
        ],
      },
    ],
    [
      "SELECT usage FROM cpu WHERE time > '2024-01-01T00:00:40Z' + 1h - 2h AND time < '2024-01-01T00:00:01Z'",
      { series: [series('cpu', ['time', 'usage'], [[at(0), 1]])] },
    ],
    ['SELECT usage FROM cpu WHERE time > now() - 1h', { series: [] }],
    ["SELECT usage FROM cpu WHERE time > '2024-01-02'", { series: [] }],
    ["SELECT usage FROM cpu WHERE host = 'zzz'", { series: [] }],
    [
      "SELECT used, usage FROM cpu, mem WHERE host = 'b'",
      {
        series: [
          series(
            'cpu',
            ['time', 'used', 'usage'],
            [
              [at(5), null, 10],
              [at(30), null, 20],
            ],
          ),
          series('mem', ['time', 'used', 'usage'], [[at(10), 200, null]]),
        ],
      },
    ],
    [
      'SELECT used FROM /^m/',
      {
        series: [
          series(
            'mem',
            ['time', 'used'],
            [
              [at(0), 100],
              [at(10), 200],
            ],
          ),
        ],
      },
    ],
    ['SELECT free FROM mem', { series: [series('mem', ['time', 'free'], [[at(0), 5]])] }],
    ['SELECT temp FROM weather, events', { series: [series('weather', ['time', 'temp'], [[at(0), 5.5]])] }],
    [
      'SELECT temp, count FROM events, weather',
      {
        series: [
          series('events', ['time', 'temp', 'count'], [[at(0), 'hot', 1]]),
          series('weather', ['time', 'temp', 'count'], [[at(0), 5.5, null]]),
        ],
      },
    ],
    ["SELECT count FROM events WHERE temp = 'hot'", { series: [series('events', ['time', 'count'], [[at(0), 1]])] }],
    [
      'SELECT temp::tag, count FROM events',
      { series: [series('events', ['time', 'temp', 'count'], [[at(0), 'hot', 1]])] },
    ],
    ['SELECT temp::field FROM events', { series: [] }],
    [
      "SELECT usage::integer, idle::float, note::integer FROM cpu WHERE host = 'a'",
      {
        series: [
          series(
            'cpu',
            ['time', 'usage', 'idle', 'note'],
            [
              [at(0), 1, 10, null],
              [at(10), 3, 20, null],
              [at(20), 2, 30, null],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT ok, note FROM cpu WHERE ok = true',
      { series: [series('cpu', ['time', 'ok', 'note'], [[at(0), true, 'x']])] },
    ],
    ['SELECT note FROM cpu WHERE note =~ /^x$/', { series: [series('cpu', ['time', 'note'], [[at(0), 'x']])] }],
    ['SELECT time AS t, usage FROM cpu WHERE usage >= 20', { series: [series('cpu', ['t', 'usage'], [[at(30), 20]])] }],
    ['SELECT nonexistent FROM cpu', { series: [] }],
    ['SELECT usage FROM nosuch', { series: [] }],
    ['SELECT host FROM cpu', { series: [] }],
    [
      'SELECT usage FROM conf.autogen.cpu WHERE usage > 10',
      { series: [series('cpu', ['time', 'usage'], [[at(30), 20]])] },
    ],
    ['SELECT usage FROM nosuchdb..cpu', { error: 'database not found: nosuchdb' }],
  ];

  for (const [query, expected] of cases) {
    test(query, async () => assert.deepEqual(await run(query), [expected]));
  }

  test('several statements answer in order, each on its own', async () => {
    assert.deepEqual(
      await run("SELECT usage FROM cpu WHERE host = 'c'; SELECT nope(usage) FROM cpu; SHOW MEASUREMENTS LIMIT 1"),
      [
        { series: [series('cpu', ['time', 'usage'], [[at(40), 7]])] },
        { error: 'undefined function nope()' },
        { series: [series('measurements', ['name'], [['cpu']])] },
      ],
    );
  });
});
