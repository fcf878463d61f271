import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { outsideInfluxql3 } from '../../src/influxql/errors.ts';
import { at, conformanceHarness, FROM_T0_FOR_A_MINUTE, series } from './fixture.ts';
import type { PlainStatement } from './harness.ts';

const EPOCH = '1970-01-01T00:00:00Z';
// idle = 10, 20, 30, 5: mean 16.25, squared deviations 368.75 over n - 1 = 3.
const IDLE_STDDEV = Math.sqrt(368.75 / 3);

describe('InfluxQL conformance: aggregates and selectors', () => {
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
      'SELECT count(usage), sum(usage), mean(usage), min(usage), max(usage), spread(usage) FROM cpu',
      {
        series: [
          series('cpu', ['time', 'count', 'sum', 'mean', 'min', 'max', 'spread'], [[EPOCH, 6, 43, 43 / 6, 1, 20, 19]]),
        ],
      },
    ],
    [
      // usage sorted: 1 2 3 7 10 20. Median (3+7)/2; percentile p is the value at rank ⌊6·p/100 + ½⌋.
      'SELECT median(usage), mode(idle), stddev(idle), percentile(usage, 50), percentile(usage, 90), percentile(usage, 5), first(usage), last(usage) FROM cpu',
      {
        series: [
          series(
            'cpu',
            ['time', 'median', 'mode', 'stddev', 'percentile', 'percentile_1', 'percentile_2', 'first', 'last'],
            [[EPOCH, 5, 5, IDLE_STDDEV, 3, 10, null, 1, 7]],
          ),
        ],
      },
    ],
    ['SELECT mode(usage) FROM cpu WHERE usage < 4', { series: [series('cpu', ['time', 'mode'], [[EPOCH, 1]])] }],
    [
      'SELECT sum(idle), sum(free), first(note), last(ok) FROM cpu, mem',
      {
        series: [
          series('cpu', ['time', 'sum', 'sum_1', 'first', 'last'], [[EPOCH, 65, null, 'x', true]]),
          series('mem', ['time', 'sum', 'sum_1', 'first', 'last'], [[EPOCH, null, 5, null, null]]),
        ],
      },
    ],
    [
      'SELECT count(usage), max(usage) FROM cpu GROUP BY host',
      {
        series: [
          series('cpu', ['time', 'count', 'max'], [[EPOCH, 3, 3]], { host: 'a' }),
          series('cpu', ['time', 'count', 'max'], [[EPOCH, 2, 20]], { host: 'b' }),
          series('cpu', ['time', 'count', 'max'], [[EPOCH, 1, 7]], { host: 'c' }),
        ],
      },
    ],
    ['SELECT max(usage) FROM cpu', { series: [series('cpu', ['time', 'max'], [[at(30), 20]])] }],
    ['SELECT min(usage), host FROM cpu', { series: [series('cpu', ['time', 'min', 'host'], [[at(0), 1, 'a']])] }],
    [
      'SELECT last(usage), region, idle FROM cpu',
      { series: [series('cpu', ['time', 'last', 'region', 'idle'], [[at(40), 7, null, null]])] },
    ],
    [
      'SELECT percentile(usage, 90), host FROM cpu',
      { series: [series('cpu', ['time', 'percentile', 'host'], [[at(5), 10, 'b']])] },
    ],
    [
      'SELECT first(idle) FROM cpu GROUP BY host',
      {
        series: [
          series('cpu', ['time', 'first'], [[at(0), 10]], { host: 'a' }),
          series('cpu', ['time', 'first'], [[at(5), 5]], { host: 'b' }),
        ],
      },
    ],
    ['SELECT min(usage), max(usage) FROM cpu', { series: [series('cpu', ['time', 'min', 'max'], [[EPOCH, 1, 20]])] }],
    [
      "SELECT count(usage) FROM cpu WHERE time >= '2024-01-01T00:00:10Z'",
      { series: [series('cpu', ['time', 'count'], [[at(10), 4]])] },
    ],
    [
      'SELECT count(distinct(idle)), count(idle) FROM cpu',
      { series: [series('cpu', ['time', 'count', 'count_1'], [[EPOCH, 4, 4]])] },
    ],
    [
      'SELECT distinct(idle) FROM cpu',
      {
        series: [
          series(
            'cpu',
            ['time', 'distinct'],
            [
              [EPOCH, 5],
              [EPOCH, 10],
              [EPOCH, 20],
              [EPOCH, 30],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT DISTINCT used FROM mem',
      {
        series: [
          series(
            'mem',
            ['time', 'distinct'],
            [
              [EPOCH, 100],
              [EPOCH, 200],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT count(*) FROM cpu',
      {
        series: [series('cpu', ['time', 'count_idle', 'count_note', 'count_ok', 'count_usage'], [[EPOCH, 4, 1, 1, 6]])],
      },
    ],
    [
      'SELECT mean(*) FROM cpu',
      { series: [series('cpu', ['time', 'mean_idle', 'mean_usage'], [[EPOCH, 16.25, 43 / 6]])] },
    ],
    ['SELECT max(/^u/) FROM cpu', { series: [series('cpu', ['time', 'max_usage'], [[at(30), 20]])] }],
    [
      'SELECT max(usage) - min(usage) AS range, count(usage) * 2 FROM cpu',
      { series: [series('cpu', ['time', 'range', 'count'], [[EPOCH, 19, 12]])] },
    ],
    [
      'SELECT mean(usage), mean(idle), mean(usage) FROM cpu',
      { series: [series('cpu', ['time', 'mean', 'mean_1', 'mean_2'], [[EPOCH, 43 / 6, 16.25, 43 / 6]])] },
    ],
    ["SELECT mean(usage) FROM cpu WHERE host = 'zzz'", { series: [] }],
    ['SELECT mean(usage) FROM cpu, mem', { series: [series('cpu', ['time', 'mean'], [[EPOCH, 43 / 6]])] }],
    ['SELECT mean(usage), idle FROM cpu', { error: 'mixing aggregate and non-aggregate queries is not supported' }],
    ['SELECT mean(note) FROM cpu', { error: "mean() is not defined for string fields such as 'note'" }],
    ['SELECT mean(usage + 1) FROM cpu', { error: 'expected field argument in mean()' }],
    ['SELECT percentile(usage) FROM cpu', { error: 'invalid number of arguments for percentile, expected 2, got 1' }],
    ['SELECT top(usage, 2) FROM cpu', { error: outsideInfluxql3('top()') }],
    [
      'SELECT distinct(usage), count(usage) FROM cpu',
      { error: 'aggregate function distinct() cannot be combined with other functions or fields' },
    ],
    ['SELECT usage FROM cpu GROUP BY time(1m)', { error: 'GROUP BY requires at least one aggregate function' }],
  ];

  for (const [query, expected] of cases) {
    test(query, async () => assert.deepEqual(await run(query), [expected]));
  }
});

describe('InfluxQL conformance: GROUP BY time() and every fill', () => {
  let run: (q: string) => Promise<PlainStatement[]>;
  let close: () => Promise<void>;
  before(async () => {
    const { h, run: r } = await conformanceHarness();
    run = r;
    close = () => h.close();
  });
  after(() => close());

  const perHost = (fill: string) =>
    `SELECT mean(usage) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} AND host = 'b' GROUP BY time(10s), host ${fill}`;
  const bSeries = (values: unknown[]) =>
    ({
      series: [
        series(
          'cpu',
          ['time', 'mean'],
          values.map((value, i) => [at(i * 10), value]),
          { host: 'b' },
        ),
      ],
    }) as PlainStatement;

  const cases: Array<[string, PlainStatement]> = [
    [
      `SELECT count(usage), mean(usage) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'count', 'mean'],
            [
              [at(0), 3, 14 / 3],
              [at(20), 2, 11],
              [at(40), 1, 7],
            ],
          ),
        ],
      },
    ],
    [perHost(''), bSeries([10, null, null, 20, null, null])],
    [perHost('fill(null)'), bSeries([10, null, null, 20, null, null])],
    [
      perHost('fill(none)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'mean'],
            [
              [at(0), 10],
              [at(30), 20],
            ],
            { host: 'b' },
          ),
        ],
      },
    ],
    [perHost('fill(-1)'), bSeries([10, -1, -1, 20, -1, -1])],
    [perHost('fill(0.5)'), bSeries([10, 0.5, 0.5, 20, 0.5, 0.5])],
    [perHost('fill(previous)'), bSeries([10, 10, 10, 20, 20, 20])],
    [perHost('fill(linear)'), bSeries([10, 10 + 10 / 3, 10 + 20 / 3, 20, null, null])],
    [
      `SELECT count(usage) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} AND host = 'c' GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'count'],
            [
              [at(0), 0],
              [at(20), 0],
              [at(40), 1],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT count(usage) + 1 FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} AND host = 'c' GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'count'],
            [
              [at(0), null],
              [at(20), null],
              [at(40), 2],
            ],
          ),
        ],
      },
    ],
    [
      // No lower bound: each series starts at its own first bucket.
      "SELECT max(usage) FROM cpu WHERE time < '2024-01-01T00:01:00Z' GROUP BY time(20s), host",
      {
        series: [
          series(
            'cpu',
            ['time', 'max'],
            [
              [at(0), 3],
              [at(20), 2],
              [at(40), null],
            ],
            { host: 'a' },
          ),
          series(
            'cpu',
            ['time', 'max'],
            [
              [at(0), 10],
              [at(20), 20],
              [at(40), null],
            ],
            { host: 'b' },
          ),
          series('cpu', ['time', 'max'], [[at(40), 7]], { host: 'c' }),
        ],
      },
    ],
    [
      // An offset shifts the buckets: they start at …:45, …:05, …:25, …:45.
      `SELECT count(usage) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s, 5s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'count'],
            [
              [at(-15), 1],
              [at(5), 3],
              [at(25), 2],
              [at(45), 0],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT min(usage) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(30s) ORDER BY time DESC`,
      {
        series: [
          series(
            'cpu',
            ['time', 'min'],
            [
              [at(30), 7],
              [at(0), 1],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT max(usage), host FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(30s) fill(none) LIMIT 1 OFFSET 1`,
      { series: [series('cpu', ['time', 'max', 'host'], [[at(30), 20, 'b']])] },
    ],
    [
      "SELECT mean(usage) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:00:30Z' AND host = 'zzz' GROUP BY time(10s)",
      { series: [] },
    ],
  ];

  for (const [query, expected] of cases) {
    test(query, async () => assert.deepEqual(await run(query), [expected]));
  }

  test('without an upper bound a GROUP BY time() query ends now, so empty buckets run up to now', async () => {
    // now() is 2024-01-01T12:00:00Z in the harness: 13 hourly buckets from T0.
    const [result] = await run("SELECT count(usage) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' GROUP BY time(1h)");
    const values = result!.series![0]!.values;
    assert.equal(values.length, 13);
    assert.deepEqual(values[0], [at(0), 6]);
    assert.deepEqual(values[12], ['2024-01-01T12:00:00Z', 0]);
    assert.ok(values.slice(1).every((row) => row[1] === 0));
  });

  test('tz(): daily buckets start at local midnight and move with daylight saving time', async () => {
    const q =
      "SELECT sum(v) FROM daily WHERE time >= '2024-03-09T00:00:00Z' AND time < '2024-03-12T00:00:00Z' GROUP BY time(1d) tz('America/Chicago')";
    assert.deepEqual(await run(q), [
      {
        series: [
          series(
            'daily',
            ['time', 'sum'],
            [
              ['2024-03-08T00:00:00-06:00', null],
              ['2024-03-09T00:00:00-06:00', 1],
              ['2024-03-10T00:00:00-06:00', 2],
              ['2024-03-11T00:00:00-05:00', 3],
            ],
          ),
        ],
      },
    ]);
  });

  test('tz(): times without an offset are local, and raw rows print with the local offset', async () => {
    const q = "SELECT v FROM daily WHERE time >= '2024-03-10 00:00:00' AND time < '2024-03-11' tz('America/Chicago')";
    assert.deepEqual(await run(q), [{ series: [series('daily', ['time', 'v'], [['2024-03-10T07:00:00-05:00', 2]])] }]);
    const utc = "SELECT sum(v) FROM daily WHERE time >= '2024-03-09' AND time < '2024-03-12' GROUP BY time(1d)";
    assert.deepEqual(await run(utc), [
      {
        series: [
          series(
            'daily',
            ['time', 'sum'],
            [
              ['2024-03-09T00:00:00Z', 1],
              ['2024-03-10T00:00:00Z', 2],
              ['2024-03-11T00:00:00Z', 3],
            ],
          ),
        ],
      },
    ]);
  });
});
