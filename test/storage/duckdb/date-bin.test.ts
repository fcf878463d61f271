import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { installQueryMacros } from '../../../src/storage/duckdb/query-runner.ts';
import { openSandboxedInstance } from '../../../src/storage/duckdb/sandboxed-instance.ts';

// date_bin takes an integer shortcut for its common form; it must answer exactly as its definition,
// CAST(time_bucket(i, t, o) AS TIMESTAMP_NS), does for every argument, errors included.

const INT64_MAX = 2n ** 63n - 1n;
const MIN_TIMESTAMP_NS = -9_223_286_400_000_000_000n;

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await openSandboxedInstance(':memory:');
  connection = await instance.connect();
  await installQueryMacros(connection);
  await connection.run(
    `CREATE TEMP MACRO defined_bin(i, t, o := TIMESTAMP '1970-01-01 00:00:00') AS CAST(time_bucket(i, t, o) AS TIMESTAMP_NS)`,
  );
});
after(() => {
  connection.closeSync();
  instance.closeSync();
});

/** Both forms' answer as text, or the error, so that errors compare too. */
async function answer(fn: string, args: string): Promise<string> {
  try {
    const reader = await connection.runAndReadAll(`SELECT CAST(${fn}(${args}) AS VARCHAR)`);
    return String(reader.getRows()[0]?.[0]);
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function assertSameBin(args: string): Promise<void> {
  assert.equal(await answer('date_bin', args), await answer('defined_bin', args), `date_bin(${args})`);
}

const nanos = fc.oneof(
  fc.bigInt(MIN_TIMESTAMP_NS, INT64_MAX - 1n),
  fc.bigInt(-(10n ** 12n), 10n ** 12n),
  fc.bigInt(1_700_000_000_000_000_000n, 1_800_000_000_000_000_000n),
  fc.bigInt(INT64_MAX - 10n ** 18n, INT64_MAX - 1n),
);
const time = fc.oneof(
  { weight: 8, arbitrary: nanos.map((ns) => `make_timestamp_ns(${ns})`) },
  fc.constantFrom(
    "'infinity'::TIMESTAMP_NS",
    "'-infinity'::TIMESTAMP_NS",
    'NULL::TIMESTAMP_NS',
    "TIMESTAMP '2024-11-25 01:02:03.5'",
    "DATE '2024-02-29'",
  ),
);
const width = fc.oneof(
  fc.constantFrom(
    "INTERVAL '1 minute'",
    "INTERVAL '7 days'",
    "'15 minutes'",
    "INTERVAL '1 day 2 hours'",
    "INTERVAL '10000 days'",
    "INTERVAL '10001 days'",
    "INTERVAL '1 month'",
    "INTERVAL '1 year'",
    "INTERVAL '0 seconds'",
    "INTERVAL '-1 minute'",
    'NULL::INTERVAL',
  ),
  fc.bigInt(1n, 864_000_000_000_000n).map((micros) => `to_microseconds(${micros})`),
);
const origin = fc.option(
  fc.oneof(
    nanos.map((ns) => `make_timestamp_ns(${ns})`),
    fc.bigInt(-(10n ** 17n), 10n ** 17n).map((ns) => `CAST(make_timestamp_ns(${ns}) AS TIMESTAMP)`),
    fc.constant('NULL::TIMESTAMP'),
  ),
  { nil: undefined },
);

it('bins like CAST(time_bucket(i, t, o) AS TIMESTAMP_NS) for any width, time and origin', async () => {
  await fc.assert(
    fc.asyncProperty(width, time, origin, async (i, t, o) => {
      await assertSameBin(o === undefined ? `${i}, ${t}` : `${i}, ${t}, ${o}`);
    }),
    { numRuns: 400 },
  );
});

it('bins the edges exactly: sub-microsecond times, the last bin before the largest instant, 1970', async () => {
  for (const args of [
    "INTERVAL '1 minute', TIMESTAMP_NS '2024-01-01 00:00:59.9999999'",
    "INTERVAL '1 minute', TIMESTAMP_NS '1969-12-31 23:59:59.9999995'",
    "INTERVAL '1 minute', make_timestamp_ns(0)",
    "INTERVAL '1 minute', make_timestamp_ns(59999999999)",
    `INTERVAL '1 minute', make_timestamp_ns(${INT64_MAX - 60_000_000_000n})`,
    `INTERVAL '1 minute', make_timestamp_ns(${INT64_MAX - 60_000_000_001n})`,
    `INTERVAL '1 minute', make_timestamp_ns(${INT64_MAX - 1n}), TIMESTAMP '1969-12-31 23:59:30'`,
    "INTERVAL '7 minutes', make_timestamp_ns(1704067200000000000), TIMESTAMP_NS '2100-01-01 00:00:00.0000015'",
  ]) {
    await assertSameBin(args);
  }
});

it('bins a whole column with literal arguments in integer arithmetic, its only per-row test being the range of t', async () => {
  const reader = await connection.runAndReadAll(
    "EXPLAIN SELECT date_bin(INTERVAL '1 minute', make_timestamp_ns(range)) FROM range(10)",
  );
  const plan = String(reader.getRows()[0]?.[1]);
  assert.match(plan, /60000000000/);
  assert.doesNotMatch(plan, /typeof|datepart/);
});

it("reads an origin given as text as an instant, 'Z' or an offset, as InfluxDB's documentation writes it", async () => {
  const t = "TIMESTAMP_NS '2024-01-01 00:01:30.123456789'";
  const cases: Array<[string, string]> = [
    ["'1970-01-01T00:00:00Z'", "TIMESTAMP '1970-01-01 00:00:00'"],
    ["'1970-01-01T00:00:20Z'", "TIMESTAMP '1970-01-01 00:00:20'"],
    ["'2024-01-01T01:00:40+01:00'", "TIMESTAMP '2024-01-01 00:00:40'"],
    ["'2024-01-01 00:00:10'", "TIMESTAMP '2024-01-01 00:00:10'"],
  ];
  for (const [text, timestamp] of cases) {
    const fromText = await answer('date_bin', `INTERVAL '1 minute', ${t}, ${text}`);
    assert.doesNotMatch(fromText, /^error/, text);
    assert.equal(fromText, await answer('defined_bin', `INTERVAL '1 minute', ${t}, ${timestamp}`), text);
  }
  assert.match(await answer('date_bin', `INTERVAL '1 minute', ${t}, 'not a time'`), /^error: Conversion Error/);
});
