import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenIndex } from '../../src/auth/token-index.ts';
import type { TokenRecord } from '../../src/catalog/catalog.ts';

function record(id: number, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id,
    kind: 'database',
    name: `t${id}`,
    description: null,
    hint: 'fgd_abcd…',
    createdAt: 0,
    createdBy: null,
    updatedAt: null,
    updatedBy: null,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    grants: [{ type: 'db', databases: [1], actions: 16 }],
    ...overrides,
  };
}

describe('TokenIndex', () => {
  test('finds a token by any of its secrets; a complete index answers unknown without a lookup', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [
      { hash: 'new', tokenId: 1, retiresAt: null },
      { hash: 'old', tokenId: 1, retiresAt: 500 },
    ]);
    const found = index.lookup('new');
    assert.equal(found.status, 'found');
    assert.equal(found.status === 'found' && found.token.id, 1);
    const old = index.lookup('old');
    assert.equal(old.status === 'found' && old.retiresAt, 500);
    assert.deepEqual(index.lookup('nope'), { status: 'unknown' });
  });

  test('put replaces all secrets; revoke remembers them as revoked', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [{ hash: 'a', tokenId: 1, retiresAt: null }]);
    index.put(record(1), [{ hash: 'b', tokenId: 1, retiresAt: null }]);
    assert.deepEqual(index.lookup('a'), { status: 'unknown' });
    index.revoke(1);
    assert.deepEqual(index.lookup('b'), { status: 'revoked' });
    index.put(record(2), [{ hash: 'b', tokenId: 2, retiresAt: null }]);
    assert.equal(index.lookup('b').status, 'found', 'a re-registered hash is live again');
  });

  test('past its capacity the index becomes a cache: misses go to the catalog, unknowns are remembered', () => {
    const index = new TokenIndex({ maxEntries: 2, maxRemembered: 2 });
    for (const id of [1, 2, 3]) index.put(record(id), [{ hash: `h${id}`, tokenId: id, retiresAt: null }]);
    assert.equal(index.complete, false);
    assert.equal(index.size, 2);
    assert.deepEqual(index.lookup('h1'), { status: 'miss' });
    index.rememberUnknown('zz');
    assert.deepEqual(index.lookup('zz'), { status: 'unknown' });
    index.rememberUnknown('y1');
    index.rememberUnknown('y2');
    assert.deepEqual(index.lookup('zz'), { status: 'miss' }, 'remembered unknowns are bounded');
  });

  test('admin grants share one compiled authority', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1, { kind: 'admin', grants: [{ type: 'admin' }] }), [{ hash: 'a', tokenId: 1, retiresAt: null }]);
    index.put(record(2, { kind: 'admin', grants: [{ type: 'admin' }] }), [{ hash: 'b', tokenId: 2, retiresAt: null }]);
    const a = index.lookup('a');
    const b = index.lookup('b');
    assert.ok(a.status === 'found' && b.status === 'found' && a.token.authority === b.token.authority);
  });
});
