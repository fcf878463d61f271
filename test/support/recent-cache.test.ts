import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentCache } from '../../src/support/recent-cache.ts';

test('past its capacity the entry used longest ago goes; a hit or a set counts as a use', () => {
  const cache = new RecentCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1); // a is now the latest
  cache.set('c', 3); // b goes
  assert.equal(cache.get('b'), undefined);
  cache.set('a', 10); // a set again: the latest, and not counted twice
  cache.set('d', 4); // c goes
  assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d'), cache.size], [10, undefined, 4, 2]);
});

test('getOrSet makes a value once and then hands out the kept one', () => {
  const cache = new RecentCache<string, object>(4);
  let made = 0;
  const make = () => ({ n: ++made });
  const first = cache.getOrSet('k', make);
  assert.equal(cache.getOrSet('k', make), first);
  assert.equal(made, 1);
});
