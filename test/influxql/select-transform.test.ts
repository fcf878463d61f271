import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { at, conformanceHarness, FROM_T0_FOR_A_MINUTE, series } from './fixture.ts';
import type { PlainStatement } from './harness.ts';

const EPOCH = '1970-01-01T00:00:00Z';

describe('InfluxQL conformance: transformations, integral() and subqueries', () => {
  let run: (q: string) => Promise<PlainStatement[]>;
  let close: () => Promise<void>;
  before(async () => {
    const { h, run: r } = await conformanceHarness();
    run = r;
    close = () => h.close();
  });
  after(() => close());

  // Host a: usage 1, 3, 2 at T0, +10s, +20s.
  const onA = (fn: string) => `SELECT ${fn} FROM cpu WHERE host = 'a'`;
  const cases: Array<[string, PlainStatement]> = [
    [
      onA('difference(usage)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'difference'],
            [
              [at(10), 2],
              [at(20), -1],
            ],
          ),
        ],
      },
    ],
    [
      onA('non_negative_difference(usage)'),
      { series: [series('cpu', ['time', 'non_negative_difference'], [[at(10), 2]])] },
    ],
    [
      onA('derivative(usage)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'derivative'],
            [
              [at(10), 0.2],
              [at(20), -0.1],
            ],
          ),
        ],
      },
    ],
    [
      onA('derivative(usage, 10s)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'derivative'],
            [
              [at(10), 2],
              [at(20), -1],
            ],
          ),
        ],
      },
    ],
    [
      onA('non_negative_derivative(usage, 10s)'),
      { series: [series('cpu', ['time', 'non_negative_derivative'], [[at(10), 2]])] },
    ],
    [
      onA('cumulative_sum(usage)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'cumulative_sum'],
            [
              [at(0), 1],
              [at(10), 4],
              [at(20), 6],
            ],
          ),
        ],
      },
    ],
    [
      onA('moving_average(usage, 2)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'moving_average'],
            [
              [at(10), 2],
              [at(20), 2.5],
            ],
          ),
        ],
      },
    ],
    [
      onA('elapsed(usage, 1s)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'elapsed'],
            [
              [at(10), 10],
              [at(20), 10],
            ],
          ),
        ],
      },
    ],
    [
      onA('elapsed(usage)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'elapsed'],
            [
              [at(10), 10_000_000_000],
              [at(20), 10_000_000_000],
            ],
          ),
        ],
      },
    ],
    [
      onA('difference(usage), cumulative_sum(idle)'),
      {
        series: [
          series(
            'cpu',
            ['time', 'difference', 'cumulative_sum'],
            [
              [at(0), null, 10],
              [at(10), 2, 30],
              [at(20), -1, 60],
            ],
          ),
        ],
      },
    ],
    [
      `${onA('difference(usage)')} ORDER BY time DESC LIMIT 1`,
      { series: [series('cpu', ['time', 'difference'], [[at(20), -1]])] },
    ],
    [
      'SELECT derivative(usage, 5s) FROM cpu GROUP BY host',
      {
        series: [
          series(
            'cpu',
            ['time', 'derivative'],
            [
              [at(10), 1],
              [at(20), -0.5],
            ],
            { host: 'a' },
          ),
          series('cpu', ['time', 'derivative'], [[at(30), 2]], { host: 'b' }),
        ],
      },
    ],
    // Over buckets: max per 20s bucket is 10, 20, 7; the bucket before T0 is read and empty.
    [
      `SELECT difference(max(usage)) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'difference'],
            [
              [at(20), 10],
              [at(40), -13],
            ],
          ),
        ],
      },
    ],
    [
      // fill(0) fills the bucket before T0 too, so the first bucket has a rate: means 14/3, 11, 7.
      `SELECT derivative(mean(usage), 20s) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s) fill(0)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'derivative'],
            [
              [at(0), 14 / 3],
              [at(20), 11 - 14 / 3],
              [at(40), -4],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT cumulative_sum(count(usage)) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'cumulative_sum'],
            [
              [at(0), 3],
              [at(20), 5],
              [at(40), 6],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT moving_average(mean(usage), 2) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'moving_average'],
            [
              [at(20), (14 / 3 + 11) / 2],
              [at(40), 9],
            ],
          ),
        ],
      },
    ],
    [
      `SELECT non_negative_derivative(max(usage)) FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s), host fill(none)`,
      {
        series: [series('cpu', ['time', 'non_negative_derivative'], [[at(20), 0.5]], { host: 'b' })],
      },
    ],
    ['SELECT derivative(mean(usage)) FROM cpu', { error: 'derivative aggregate requires a GROUP BY interval' }],
    [
      'SELECT derivative(usage), usage FROM cpu',
      { error: 'mixing aggregate and non-aggregate queries is not supported' },
    ],
    [
      'SELECT derivative(usage) * 2 FROM cpu',
      { error: 'a transformation such as derivative() must be the outermost function of its field' },
    ],
    [
      'SELECT moving_average(usage, 0) FROM cpu',
      { error: 'second argument for moving_average must be a positive integer' },
    ],
    // Trapezoids: (1+3)/2·10s + (3+2)/2·10s = 45 (per second).
    [onA('integral(usage)'), { series: [series('cpu', ['time', 'integral'], [[EPOCH, 45]])] }],
    [onA('integral(usage, 10s)'), { series: [series('cpu', ['time', 'integral'], [[EPOCH, 4.5]])] }],
    [
      // Buckets of 15s: the area to 15s is closed at the interpolated 2.5, which starts the next bucket.
      `SELECT integral(usage) FROM cpu WHERE host = 'a' AND ${FROM_T0_FOR_A_MINUTE} GROUP BY time(15s)`,
      {
        series: [
          series(
            'cpu',
            ['time', 'integral'],
            [
              [at(0), 33.75],
              [at(15), 11.25],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT integral(usage, 10s), integral(idle, 10s) FROM cpu GROUP BY host',
      {
        series: [
          series('cpu', ['time', 'integral', 'integral_1'], [[EPOCH, 4.5, 40]], { host: 'a' }),
          series('cpu', ['time', 'integral', 'integral_1'], [[EPOCH, 37.5, 0]], { host: 'b' }),
          series('cpu', ['time', 'integral', 'integral_1'], [[EPOCH, 0, null]], { host: 'c' }),
        ],
      },
    ],
    [
      'SELECT integral(usage), count(usage) FROM cpu',
      { error: 'integral() cannot be combined with other functions or fields in fluxgate' },
    ],
    // Subqueries: per-host means 2, 15, 7.
    [
      'SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu GROUP BY host)',
      { series: [series('cpu', ['time', 'max'], [[EPOCH, 15]])] },
    ],
    [
      'SELECT m FROM (SELECT mean(usage) AS m FROM cpu GROUP BY host) WHERE m > 5',
      {
        series: [
          series(
            'cpu',
            ['time', 'm'],
            [
              [EPOCH, 15],
              [EPOCH, 7],
            ],
          ),
        ],
      },
    ],
    [
      'SELECT m FROM (SELECT mean(usage) AS m FROM cpu GROUP BY host) GROUP BY host',
      {
        series: [
          series('cpu', ['time', 'm'], [[EPOCH, 2]], { host: 'a' }),
          series('cpu', ['time', 'm'], [[EPOCH, 15]], { host: 'b' }),
          series('cpu', ['time', 'm'], [[EPOCH, 7]], { host: 'c' }),
        ],
      },
    ],
    [
      `SELECT sum(c) FROM (SELECT count(usage) AS c FROM cpu GROUP BY time(20s), host) WHERE ${FROM_T0_FOR_A_MINUTE}`,
      { series: [series('cpu', ['time', 'sum'], [[at(0), 6]])] },
    ],
    [
      `SELECT max(total) FROM (SELECT sum(usage) AS total FROM cpu WHERE ${FROM_T0_FOR_A_MINUTE} GROUP BY time(20s))`,
      { series: [series('cpu', ['time', 'max'], [[at(20), 22]])] },
    ],
    ['SELECT mean(x) FROM (SELECT usage AS x FROM cpu WHERE nosuch = 1)', { series: [] }],
  ];

  for (const [query, expected] of cases) {
    test(query, async () => assert.deepEqual(await run(query), [expected]));
  }
});
