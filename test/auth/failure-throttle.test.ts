import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureThrottle } from '../../src/auth/failure-throttle.ts';

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
