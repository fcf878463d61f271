import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bigintToJson, formatTimestampNs } from '../../../src/storage/duckdb/result-values.ts';

it('formats nanosecond timestamps as RFC3339 UTC with only the fraction digits needed', () => {
  assert.equal(formatTimestampNs(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatTimestampNs(1_732_496_523_123_456_789n), '2024-11-25T01:02:03.123456789Z');
  assert.equal(formatTimestampNs(1_732_496_523_120_000_000n), '2024-11-25T01:02:03.12Z');
  assert.equal(formatTimestampNs(1_732_496_523_000_001_000n), '2024-11-25T01:02:03.000001Z');
  assert.equal(formatTimestampNs(-1n), '1969-12-31T23:59:59.999999999Z');
  assert.equal(formatTimestampNs(-1_000_000_001n), '1969-12-31T23:59:58.999999999Z');
  assert.equal(formatTimestampNs(9_223_372_036_854_775_807n), '2262-04-11T23:47:16.854775807Z');
});

it('keeps integers as numbers only while they are exact', () => {
  assert.equal(bigintToJson(9_007_199_254_740_991n), 9_007_199_254_740_991);
  assert.equal(bigintToJson(9_007_199_254_740_992n), '9007199254740992');
  assert.equal(bigintToJson(-9_007_199_254_740_993n), '-9007199254740993');
});
