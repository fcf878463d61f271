import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnknownTokenProbe } from '../../src/auth/unknown-token-probe.ts';

test('catalog lookups for unknown tokens are rate-limited by a token bucket', () => {
  const probe = new UnknownTokenProbe({ perSecond: 10, burst: 3, negativeTtlMs: 1000, maxRemembered: 10 });
  const asked = ['a', 'b', 'c', 'd'].map((hash) => probe.mayAsk(hash, 0));
  assert.deepEqual(asked, [true, true, true, false], 'a burst of 3');
  assert.equal(probe.mayAsk('e', 50), false, 'half a refill is not enough');
  assert.equal(probe.mayAsk('e', 100), true, 'one lookup back after 100 ms at 10/s');
});

test('a hash the catalog does not know is not asked about again until the negative cache expires', () => {
  const probe = new UnknownTokenProbe({ perSecond: 1000, burst: 1000, negativeTtlMs: 1000, maxRemembered: 2 });
  probe.rememberAbsent('a', 0);
  assert.equal(probe.mayAsk('a', 999), false);
  assert.equal(probe.mayAsk('a', 1000), true);
  probe.rememberAbsent('x', 0);
  probe.rememberAbsent('y', 0);
  probe.rememberAbsent('z', 0);
  assert.equal(probe.mayAsk('x', 1), true, 'the negative cache is bounded: the oldest goes first');
  assert.equal(probe.mayAsk('z', 1), false);
});
