import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { database, line, openStorage, rejectsWith, T0 } from './helpers.ts';

describe('DuckDbStorage queries', () => {
  let env: ReturnType<typeof openStorage>;
  const db = database(1);
  const MINUTE = 60_000_000_000n;

  before(async () => {
    env = openStorage();
    // Ten points 20 s apart from 01:02:03.123456789: three per minute from 01:02, one in 01:05.
    const points = Array.from({ length: 10 }, (_, index) =>
      line(
        index + 1,
        'cpu',
        { host: index % 2 === 0 ? 'a' : 'b' },
        { usage: index * 1.5, big: { type: 'integer', value: 9_007_199_254_740_993n + BigInt(index) } },
        T0 + 123_456_789n + (BigInt(index) * MINUTE) / 3n,
      ),
    );
    const outcome = await env.storage.write(db, points, 0n);
    assert.equal(outcome.written, 10);
  });
  after(async () => {
    await env.cleanup();
  });

  it('returns column names and engine types, and timestamps as RFC3339 with nanoseconds', async () => {
    const result = await env.storage.query(db, 'SELECT time, host, usage, big FROM cpu ORDER BY time LIMIT 2');
    assert.deepEqual(result.columns, [
      { name: 'time', sqlType: 'TIMESTAMP_NS' },
      { name: 'host', sqlType: 'VARCHAR' },
      { name: 'usage', sqlType: 'DOUBLE' },
      { name: 'big', sqlType: 'BIGINT' },
    ]);
    assert.deepEqual(result.rows, [
      ['2024-11-25T01:02:03.123456789Z', 'a', 0, '9007199254740993'],
      ['2024-11-25T01:02:23.123456789Z', 'b', 1.5, '9007199254740994'],
    ]);
  });

  it('converts every kind of value to JSON-safe values', async () => {
    const result = await env.storage.query(
      db,
      `SELECT 42::BIGINT AS safe, 9007199254740993::BIGINT AS unsafe, 18446744073709551615::UBIGINT AS ubig,
              170141183460469231731687303715884105727::HUGEINT AS huge, 1.25 AS dec, 'nan'::DOUBLE AS nan,
              'inf'::DOUBLE AS inf, 0.1::DOUBLE AS dbl, true AS yes, NULL AS nothing,
              DATE '2024-02-29' AS day, TIMESTAMP '2024-11-25 01:02:03.5' AS us,
              TIMESTAMP_NS '1969-12-31 23:59:59.999999999' AS before_epoch, TIMESTAMP_S '2024-01-01 00:00:00' AS secs,
              'infinity'::TIMESTAMP AS forever, [1, 2] AS list, {'a': 1, 'b': 'x'} AS struct, INTERVAL 90 MINUTE AS span,
              'ab'::BLOB AS bytes, 'é'::VARCHAR AS text`,
    );
    assert.deepEqual(result.rows, [
      [
        42,
        '9007199254740993',
        '18446744073709551615',
        '170141183460469231731687303715884105727',
        1.25,
        null,
        null,
        0.1,
        true,
        null,
        '2024-02-29',
        '2024-11-25T01:02:03.5Z',
        '1969-12-31T23:59:59.999999999Z',
        '2024-01-01T00:00:00Z',
        'infinity',
        [1, 2],
        { a: 1, b: 'x' },
        '01:30:00',
        'YWI=',
        'é',
      ],
    ]);
    assert.equal(result.columns[1]?.sqlType, 'BIGINT');
    assert.equal(result.columns[2]?.sqlType, 'UBIGINT');
  });

  it("provides date_bin with time_bucket's semantics and a 1970 origin, returning TIMESTAMP_NS", async () => {
    const result = await env.storage.query(
      db,
      `SELECT date_bin(INTERVAL '1 minute', time) AS minute, count(*) AS n, max(usage) AS peak,
              any_value(time_bucket(INTERVAL '1 minute', time)) = date_bin(INTERVAL '1 minute', time) AS same
       FROM cpu GROUP BY minute ORDER BY minute`,
    );
    assert.equal(result.columns[0]?.sqlType, 'TIMESTAMP_NS');
    assert.deepEqual(result.rows, [
      ['2024-11-25T01:02:00Z', 3, 3, true],
      ['2024-11-25T01:03:00Z', 3, 7.5, true],
      ['2024-11-25T01:04:00Z', 3, 12, true],
      ['2024-11-25T01:05:00Z', 1, 13.5, true],
    ]);
    const weekly = await env.storage.query(
      db,
      `SELECT date_bin(INTERVAL '7 days', TIMESTAMP_NS '2024-11-25 01:02:03'),
              date_bin('15 minutes', time, TIMESTAMP '2024-11-25 00:07:00') FROM cpu ORDER BY time LIMIT 1`,
    );
    // Weeks count from Thursday 1970-01-01, as in InfluxDB; the explicit origin shifts the bins.
    assert.deepEqual(weekly.rows, [['2024-11-21T00:00:00Z', '2024-11-25T00:52:00Z']]);
  });

  it('makes now() a TIMESTAMP_NS so it compares with time directly', async () => {
    const recent = await env.storage.query(db, "SELECT count(*) FROM cpu WHERE time > now() - INTERVAL '1 hour'");
    assert.deepEqual(recent.rows, [[0]]);
    const all = await env.storage.query(db, 'SELECT count(*), typeof(now()) FROM cpu WHERE time < now()');
    assert.deepEqual(all.rows, [[10, 'TIMESTAMP_NS']]);
  });

  it('binds $name parameters from params', async () => {
    const result = await env.storage.query(
      db,
      'SELECT count(*) AS n, $label AS label FROM cpu WHERE host = $host AND usage >= $min AND time >= $since',
      { host: 'a', min: 3, since: '2024-11-25T01:03:00Z', label: null },
    );
    assert.deepEqual(result.rows, [[3, null]]);
    const prefixed = await env.storage.query(db, 'SELECT $x + 1 AS y', { $x: 1.5 });
    assert.deepEqual(prefixed.rows, [[2.5]]);
    await rejectsWith(
      env.storage.query(db, 'SELECT $missing'),
      'QUERY_FAILED',
      'no value was given for parameter $missing',
    );
    await rejectsWith(env.storage.query(db, 'SELECT $x', { x: { nested: true } }), 'QUERY_FAILED', 'must be a string');
  });

  it('allows CTEs, set operations, subqueries, joins, window functions and VALUES', async () => {
    const result = await env.storage.query(
      db,
      `WITH per_host AS (SELECT host, max(usage) AS peak FROM cpu GROUP BY host)
       SELECT p.host, p.peak, row_number() OVER (ORDER BY p.peak DESC) AS rank, v.label
       FROM per_host p JOIN (VALUES ('a', 'first'), ('b', 'second')) v(host, label) USING (host)
       WHERE p.peak > (SELECT min(usage) FROM cpu)
       UNION ALL SELECT 'z', 0, 0, 'none' ORDER BY rank`,
    );
    assert.deepEqual(result.rows, [
      ['z', 0, 0, 'none'],
      ['b', 13.5, 1, 'second'],
      ['a', 12, 2, 'first'],
    ]);
  });

  it('reports missing tables and invalid SQL as QUERY_FAILED', async () => {
    await rejectsWith(env.storage.query(db, 'SELECT * FROM mem'), 'QUERY_FAILED', "table 'mem' does not exist");
    await rejectsWith(env.storage.query(db, 'SELECT * FROM cpu WHERE'), 'QUERY_FAILED', 'syntax error');
    await rejectsWith(env.storage.query(db, 'SELECT nope FROM cpu'), 'QUERY_FAILED', 'nope');
  });

  it('runs queries concurrently with writes', async () => {
    const writes = Array.from({ length: 5 }, (_, index) =>
      env.storage.write(database(2), [line(1, 'm', {}, { v: index }, T0 + BigInt(index))], 0n),
    );
    const queries = Array.from({ length: 5 }, () => env.storage.query(db, 'SELECT count(*) FROM cpu'));
    const results = await Promise.all([...writes, ...queries]);
    assert.equal(results.length, 10);
    assert.deepEqual((await env.storage.query(database(2), 'SELECT count(*) FROM m')).rows, [[5]]);
  });
});
