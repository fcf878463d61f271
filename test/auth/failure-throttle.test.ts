import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureThrottle, sourceKey } from '../../src/auth/failure-throttle.ts';

test('blocks a source past the limit for the block time, per source', () => {
  const throttle = new FailureThrottle({ limit: 3, windowMs: 60_000, blockMs: 30_000, maxSources: 10 });
  for (let i = 0; i < 3; i++) throttle.recordFailure('a', 1000);
  assert.equal(throttle.retryAfter('a', 1000), 0);
  throttle.recordFailure('a', 1000);
  assert.equal(throttle.retryAfter('a', 1000), 30);
  assert.equal(throttle.retryAfter('b', 1000), 0, 'other sources are not affected');
  assert.equal(throttle.retryAfter('a', 31_001), 0, 'the block ends');
});

test('failures in an old window do not count; limit 0 disables it', () => {
  const throttle = new FailureThrottle({ limit: 2, windowMs: 1000, blockMs: 5000, maxSources: 10 });
  throttle.recordFailure('a', 0);
  throttle.recordFailure('a', 0);
  throttle.recordFailure('a', 2000);
  assert.equal(throttle.retryAfter('a', 2000), 0);
  const off = new FailureThrottle({ limit: 0, windowMs: 1000, blockMs: 5000, maxSources: 10 });
  for (let i = 0; i < 100; i++) off.recordFailure('a', 0);
  assert.equal(off.retryAfter('a', 0), 0);
});

test('IPv6 sources are counted by /64: addresses of one subscriber share a block', () => {
  const throttle = new FailureThrottle({ limit: 3, windowMs: 60_000, blockMs: 30_000, maxSources: 10 });
  for (let i = 1; i <= 4; i++) throttle.recordFailure(`2001:db8:1:2::${i.toString(16)}`, 1000);
  assert.equal(throttle.retryAfter('2001:db8:1:2:ffff::1', 1000), 30, 'the whole /64 is blocked');
  assert.equal(throttle.retryAfter('2001:0db8:0001:0002:0:0:0:9', 1000), 30, 'written out in full, the same /64');
  assert.equal(throttle.retryAfter('2001:db8:1:3::1', 1000), 0, 'the next /64 is not');
  assert.equal(sourceKey('::ffff:10.0.0.1'), '10.0.0.1', 'IPv4-mapped addresses count as IPv4');
});

test('a ceiling on failures per second across all sources refuses failures from new sources too', () => {
  const throttle = new FailureThrottle({
    limit: 30,
    windowMs: 60_000,
    blockMs: 60_000,
    maxSources: 1000,
    globalLimitPerSecond: 50,
  });
  for (let i = 0; i < 51; i++) throttle.recordFailure(`127.0.0.${i}`, 5000);
  assert.equal(throttle.retryAfter('127.0.9.9', 5500), 1, 'a never-seen source is refused while over the ceiling');
  assert.equal(throttle.retryAfter('127.0.9.9', 6000), 0, 'the next second starts afresh');
});

test('a flood of new sources does not evict a blocked one', () => {
  const throttle = new FailureThrottle({ limit: 2, windowMs: 60_000, blockMs: 60_000, maxSources: 100 });
  for (let i = 0; i < 3; i++) throttle.recordFailure('198.51.100.7', 0);
  assert.ok(throttle.retryAfter('198.51.100.7', 0) > 0);
  for (let i = 0; i < 10_000; i++) throttle.recordFailure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 10);
  assert.ok(throttle.retryAfter('198.51.100.7', 20) > 0, 'still blocked after 10,000 other sources');
});
