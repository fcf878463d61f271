import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenIndex } from '../../src/auth/token-index.ts';
import type { TokenRecord } from '../../src/catalog/catalog.ts';
import { hashToken } from '../../src/domain/token-format.ts';

/** A real SHA-512 hex digest standing for a secret named `name`. */
const h = (name: string) => hashToken(name);

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
    role: null,
    grants: [{ type: 'db', databases: [1], actions: 16 }],
    ...overrides,
  };
}

describe('TokenIndex', () => {
  test('finds a token by any of its secrets; a complete index answers unknown without a lookup', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [
      { hash: h('new'), tokenId: 1, retiresAt: null },
      { hash: h('old'), tokenId: 1, retiresAt: 500 },
    ]);
    const found = index.lookup(h('new'));
    assert.equal(found.status, 'found');
    assert.equal(found.status === 'found' && found.token.id, 1);
    const old = index.lookup(h('old'));
    assert.equal(old.status === 'found' && old.retiresAt, 500);
    assert.deepEqual(index.lookup(h('nope')), { status: 'unknown' });
  });

  test('put replaces all secrets; the replaced ones and those of a revoked token read as revoked', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [{ hash: h('a'), tokenId: 1, retiresAt: null }]);
    index.put(record(1), [{ hash: h('b'), tokenId: 1, retiresAt: null }]);
    assert.deepEqual(index.lookup(h('a')), { status: 'revoked' }, 'a secret rotated away reads as revoked');
    index.revoke(1);
    assert.deepEqual(index.lookup(h('b')), { status: 'revoked' });
    index.put(record(2), [{ hash: h('b'), tokenId: 2, retiresAt: null }]);
    assert.equal(index.lookup(h('b')).status, 'found', 'a re-registered hash is live again');
  });

  test('past its capacity the index becomes a cache: misses go to the catalog, unknowns are remembered', () => {
    const index = new TokenIndex({ maxEntries: 2, maxRemembered: 2 });
    for (const id of [1, 2, 3]) index.put(record(id), [{ hash: h(`h${id}`), tokenId: id, retiresAt: null }]);
    assert.equal(index.complete, false);
    assert.equal(index.size, 2);
    assert.deepEqual(index.lookup(h('h1')), { status: 'miss' });
    index.rememberUnknown(h('zz'));
    assert.deepEqual(index.lookup(h('zz')), { status: 'unknown' });
    index.rememberUnknown(h('y1'));
    index.rememberUnknown(h('y2'));
    assert.deepEqual(index.lookup(h('zz')), { status: 'miss' }, 'remembered unknowns are bounded');
  });

  test('admin grants share one compiled authority', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1, { kind: 'admin', grants: [{ type: 'admin' }] }), [
      { hash: h('a'), tokenId: 1, retiresAt: null },
    ]);
    index.put(record(2, { kind: 'admin', grants: [{ type: 'admin' }] }), [
      { hash: h('b'), tokenId: 2, retiresAt: null },
    ]);
    const a = index.lookup(h('a'));
    const b = index.lookup(h('b'));
    assert.ok(a.status === 'found' && b.status === 'found' && a.token.authority === b.token.authority);
  });

  test('tokens with equal grants share one compiled authority', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [{ hash: h('a'), tokenId: 1, retiresAt: null }]);
    index.put(record(2), [{ hash: h('b'), tokenId: 2, retiresAt: null }]);
    index.put(record(3, { grants: [{ type: 'db', databases: [2], actions: 16 }] }), [
      { hash: h('c'), tokenId: 3, retiresAt: null },
    ]);
    const [a, b, c] = [h('a'), h('b'), h('c')].map((hash) => index.lookup(hash));
    assert.ok(a?.status === 'found' && b?.status === 'found' && c?.status === 'found');
    assert.equal(a.token.authority, b.token.authority);
    assert.notEqual(a.token.authority, c.token.authority);
  });

  test('put refuses a hash that is not a SHA-512 and leaves the token as it was', () => {
    const index = new TokenIndex({ maxEntries: 10, maxRemembered: 10 });
    index.put(record(1), [{ hash: h('a'), tokenId: 1, retiresAt: null }]);
    const secrets = [
      { hash: h('b'), tokenId: 1, retiresAt: null },
      { hash: 'abc', tokenId: 1, retiresAt: null },
    ];
    assert.throws(() => index.put(record(1), secrets), RangeError);
    assert.equal(index.lookup(h('a')).status, 'found');
    assert.deepEqual(index.lookup(h('b')), { status: 'unknown' });
    assert.equal(index.size, 1);
  });
});
