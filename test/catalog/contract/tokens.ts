import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Grant } from '../../../src/domain/permissions.ts';
import {
  audit,
  type ContractContext,
  newDatabase,
  newToken,
  rejectsWith,
  rowCounts,
  uniqueHash,
  uniqueName,
} from './fixtures.ts';

const AT = 1_700_000_100_000;

export function tokenContract(ctx: ContractContext): void {
  test('createToken returns the record that every lookup then shows', async () => {
    const input = newToken({ kind: 'admin', createdBy: 7, expiresAt: AT + 60_000, description: null });
    const hash = uniqueHash();
    const token = await ctx.catalog.createToken(input, hash, audit({ action: 'token.create' }));
    assert.deepEqual(token, {
      id: token.id,
      kind: 'admin',
      name: input.name,
      description: null,
      hint: input.hint,
      createdAt: input.createdAt,
      createdBy: 7,
      updatedAt: null,
      updatedBy: null,
      expiresAt: AT + 60_000,
      revokedAt: null,
      lastUsedAt: null,
      role: null,
      grants: input.grants,
    });
    assert.deepEqual(await ctx.catalog.getToken(token.id), token);
    assert.deepEqual(await ctx.catalog.findTokenByName(input.name), token);
    assert.deepEqual(await ctx.catalog.findTokenByHash(hash), {
      token,
      secret: { hash, tokenId: token.id, retiresAt: null },
    });
    assert.deepEqual(
      (await ctx.catalog.listTokens()).find((t) => t.id === token.id),
      token,
    );
    assert.deepEqual(await ctx.catalog.getTokenSecrets(token.id, AT), [{ hash, tokenId: token.id, retiresAt: null }]);
    assert.equal(await ctx.catalog.getToken(987_654_321), undefined);
    assert.equal(await ctx.catalog.findTokenByName(uniqueName('nobody')), undefined);
    assert.equal(await ctx.catalog.findTokenByHash(uniqueHash()), undefined);
  });

  test('grants round-trip exactly, database ids included', async () => {
    const a = await ctx.catalog.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
    const b = await ctx.catalog.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
    const grants: Grant[] = [
      { type: 'admin' },
      { type: 'db', databases: '*', actions: 2 },
      { type: 'db', databases: [b.id, a.id], actions: 1 | 2 | 16 | 32 | 64 },
      { type: 'db', databases: [], actions: 16 },
      { type: 'system', resources: 15 },
      { type: 'system', resources: 4 },
    ];
    const hash = uniqueHash();
    const token = await ctx.catalog.createToken(newToken({ grants }), hash, audit());
    assert.deepEqual(token.grants, grants);
    assert.deepEqual((await ctx.catalog.getToken(token.id))?.grants, grants);
    assert.deepEqual((await ctx.catalog.findTokenByHash(hash))?.token.grants, grants);
    assert.deepEqual((await ctx.catalog.findTokenByName(token.name))?.grants, grants);
    assert.deepEqual((await ctx.catalog.listTokens()).find((t) => t.id === token.id)?.grants, grants);
    const page = await ctx.catalog.loadTokens(token.id - 1, 1, AT);
    assert.deepEqual(page[0]?.token.grants, grants);

    const none = await ctx.catalog.createToken(newToken({ grants: [] }), uniqueHash(), audit());
    assert.deepEqual((await ctx.catalog.getToken(none.id))?.grants, []);
    const reversed = [...grants].reverse();
    const updated = await ctx.catalog.updateToken(none.id, { grants: reversed }, AT, null, audit());
    assert.deepEqual(updated.grants, reversed);
    assert.deepEqual((await ctx.catalog.getToken(none.id))?.grants, reversed);
    // The grants of the first token are untouched by the second's.
    assert.deepEqual((await ctx.catalog.getToken(token.id))?.grants, grants);
  });

  test('createToken throws TOKEN_NAME_TAKEN for an unrevoked name and TOKEN_HASH_TAKEN for a known secret', async () => {
    const hash = uniqueHash();
    const first = await ctx.catalog.createToken(newToken({ name: 'writer' }), hash, audit());
    await rejectsWith(
      ctx.catalog.createToken(newToken({ name: 'writer' }), uniqueHash(), audit()),
      'TOKEN_NAME_TAKEN',
      /^a token named 'writer' already exists$/,
    );
    await rejectsWith(ctx.catalog.createToken(newToken(), hash, audit()), 'TOKEN_HASH_TAKEN');
    await ctx.catalog.revokeToken(first.id, AT, null, audit());
    // A revoked token's secret still belongs to it.
    await rejectsWith(ctx.catalog.createToken(newToken(), hash, audit()), 'TOKEN_HASH_TAKEN');
  });

  test('a failing createToken leaves no token, secret, grant, audit or change row behind', async () => {
    const hash = uniqueHash();
    await ctx.catalog.createToken(newToken(), hash, audit());
    const before = await rowCounts(ctx.harness);
    const version = await ctx.catalog.latestVersion();
    const grants: Grant[] = [{ type: 'admin' }, { type: 'system', resources: 1 }];
    // The token row is written before the secret clashes: the rollback must take it away again.
    const name = uniqueName('half');
    await rejectsWith(ctx.catalog.createToken(newToken({ name, grants }), hash, audit()), 'TOKEN_HASH_TAKEN');
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.equal(await ctx.catalog.latestVersion(), version);
    assert.equal(await ctx.catalog.findTokenByName(name), undefined);
    // And the name is still free.
    await ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit());
  });

  test('a revoked token frees its name for a new token with a new id', async () => {
    const name = uniqueName('reused');
    const first = await ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit());
    await ctx.catalog.revokeToken(first.id, AT, 3, audit());
    const second = await ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit());
    assert.ok(second.id > first.id);
    assert.equal((await ctx.catalog.findTokenByName(name))?.id, second.id);
    await ctx.catalog.revokeToken(second.id, AT, 3, audit());
    assert.equal(await ctx.catalog.findTokenByName(name), undefined);
    // Many revoked tokens may share a name.
    const third = await ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit());
    const all = (await ctx.catalog.listTokens({ includeRevoked: true })).filter((t) => t.name === name);
    assert.deepEqual(
      all.map((t) => t.id),
      [first.id, second.id, third.id],
    );
  });

  test('listTokens orders by id and leaves out revoked tokens unless asked', async () => {
    const kept = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const revoked = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    await ctx.catalog.revokeToken(revoked.id, AT, null, audit());
    const live = await ctx.catalog.listTokens();
    const all = await ctx.catalog.listTokens({ includeRevoked: true });
    for (const list of [live, all]) {
      const ids = list.map((t) => t.id);
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
      );
    }
    assert.ok(live.some((t) => t.id === kept.id));
    assert.ok(!live.some((t) => t.id === revoked.id));
    assert.ok(live.every((t) => t.revokedAt === null));
    assert.equal(all.find((t) => t.id === revoked.id)?.revokedAt, AT);
    assert.ok(all.length > live.length);
  });

  test('updateToken patches name, description, expiry and grants and stamps who and when', async () => {
    const token = await ctx.catalog.createToken(newToken({ expiresAt: AT + 1 }), uniqueHash(), audit());
    const name = uniqueName('patched');
    const patched = await ctx.catalog.updateToken(
      token.id,
      { name, description: null, expiresAt: null },
      AT + 5,
      42,
      audit(),
    );
    assert.deepEqual(patched, { ...token, name, description: null, expiresAt: null, updatedAt: AT + 5, updatedBy: 42 });
    assert.deepEqual(await ctx.catalog.getToken(token.id), patched);
    const grants: Grant[] = [{ type: 'system', resources: 8 }];
    const regranted = await ctx.catalog.updateToken(token.id, { grants, expiresAt: AT + 9 }, AT + 6, null, audit());
    assert.deepEqual(regranted, { ...patched, grants, expiresAt: AT + 9, updatedAt: AT + 6, updatedBy: null });
    assert.deepEqual(await ctx.catalog.getToken(token.id), regranted);
    assert.deepEqual(await ctx.catalog.updateToken(token.id, {}, AT + 7, 1, audit()), {
      ...regranted,
      updatedAt: AT + 7,
      updatedBy: 1,
    });
  });

  test('updateToken throws TOKEN_NOT_FOUND for unknown or revoked ids and TOKEN_NAME_TAKEN on a clash', async () => {
    await rejectsWith(ctx.catalog.updateToken(987_654_321, { name: 'x' }, AT, null, audit()), 'TOKEN_NOT_FOUND');
    const revoked = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    await ctx.catalog.revokeToken(revoked.id, AT, null, audit());
    await rejectsWith(ctx.catalog.updateToken(revoked.id, { description: 'x' }, AT, null, audit()), 'TOKEN_NOT_FOUND');
    const a = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const b = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.updateToken(b.id, { name: a.name, grants: [{ type: 'admin' }] }, AT, null, audit()),
      'TOKEN_NAME_TAKEN',
      new RegExp(`^a token named '${a.name}' already exists$`),
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.deepEqual(await ctx.catalog.getToken(b.id), b);
    // Taking a revoked token's name is fine.
    assert.equal((await ctx.catalog.updateToken(b.id, { name: revoked.name }, AT, null, audit())).name, revoked.name);
  });

  test('revokeToken sets revokedAt; a revoked token is still found by hash but no longer loaded', async () => {
    const hash = uniqueHash();
    const token = await ctx.catalog.createToken(newToken(), hash, audit());
    await ctx.catalog.revokeToken(token.id, AT + 3, 9, audit());
    const revoked = { ...token, revokedAt: AT + 3, updatedAt: AT + 3, updatedBy: 9 };
    assert.deepEqual(await ctx.catalog.getToken(token.id), revoked);
    assert.deepEqual(await ctx.catalog.findTokenByHash(hash), {
      token: revoked,
      secret: { hash, tokenId: token.id, retiresAt: null },
    });
    assert.equal(await ctx.catalog.findTokenByName(token.name), undefined);
    assert.deepEqual(await ctx.catalog.getTokenSecrets(token.id, AT), []);
    assert.deepEqual(await ctx.catalog.loadTokens(token.id - 1, 1, AT).then((p) => p.map((t) => t.token.id)), []);
    await rejectsWith(ctx.catalog.revokeToken(token.id, AT + 4, 9, audit()), 'TOKEN_NOT_FOUND');
    await rejectsWith(ctx.catalog.revokeToken(987_654_321, AT, null, audit()), 'TOKEN_NOT_FOUND');
    assert.equal((await ctx.catalog.getToken(token.id))?.revokedAt, AT + 3);
  });

  test('loadTokensById returns the unrevoked ones among the ids, with unretired secrets', async () => {
    const hashes = [uniqueHash(), uniqueHash(), uniqueHash()];
    const made = [];
    for (const hash of hashes) made.push(await ctx.catalog.createToken(newToken(), hash, audit()));
    const [a, b, c] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
    await ctx.catalog.revokeToken(b.id, AT, null, audit());
    const fresh = uniqueHash();
    await ctx.catalog.replaceTokenSecret(c.id, fresh, { at: AT, by: null, hint: 'h', oldRetireAt: AT + 10 }, audit());
    const loaded = await ctx.catalog.loadTokensById([c.id, b.id, a.id, 987_654_321], AT + 20);
    assert.deepEqual(
      loaded.map((entry) => entry.token.id),
      [a.id, c.id],
    );
    assert.deepEqual(loaded[0]?.token, await ctx.catalog.getToken(a.id));
    assert.deepEqual(loaded[1]?.secrets, [{ hash: fresh, tokenId: c.id, retiresAt: null }]);
    assert.deepEqual(await ctx.catalog.loadTokensById([], AT), []);
  });

  test('loadTokens pages unrevoked tokens by ascending id with their unretired secrets', async () => {
    const start = (await ctx.catalog.listTokens({ includeRevoked: true })).at(-1)?.id ?? 0;
    const hashes = [uniqueHash(), uniqueHash(), uniqueHash(), uniqueHash()];
    const made = [];
    for (const hash of hashes) made.push(await ctx.catalog.createToken(newToken(), hash, audit()));
    const [t0, t1, t2, t3] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0], (typeof made)[0]];
    await ctx.catalog.revokeToken(t1.id, AT, null, audit());
    const fresh = uniqueHash();
    await ctx.catalog.replaceTokenSecret(t2.id, fresh, { at: AT, by: null, hint: 'h', oldRetireAt: AT + 100 }, audit());

    const first = await ctx.catalog.loadTokens(start, 2, AT + 50);
    assert.deepEqual(
      first.map((entry) => entry.token.id),
      [t0.id, t2.id],
    );
    assert.deepEqual(first[0]?.secrets, [{ hash: hashes[0], tokenId: t0.id, retiresAt: null }]);
    assert.deepEqual(first[1]?.secrets.map((s) => s.hash).sort(), [hashes[2], fresh].sort());
    const second = await ctx.catalog.loadTokens(t2.id, 2, AT + 50);
    assert.deepEqual(
      second.map((entry) => entry.token.id),
      [t3.id],
    );
    assert.deepEqual(await ctx.catalog.loadTokens(t3.id, 2, AT + 50), []);
    // Once the grace period is over, only the new secret is loaded.
    const later = await ctx.catalog.loadTokens(start, 10, AT + 100);
    assert.deepEqual(later.find((entry) => entry.token.id === t2.id)?.secrets, [
      { hash: fresh, tokenId: t2.id, retiresAt: null },
    ]);
    assert.deepEqual(later.find((entry) => entry.token.id === t2.id)?.token, await ctx.catalog.getToken(t2.id));
  });

  test('recordLastUsed keeps the latest time, never lowers it, and is no catalog change', async () => {
    const a = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const b = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const version = await ctx.catalog.latestVersion();
    const audits = await ctx.catalog.listAudit({ limit: 1 });
    await ctx.catalog.recordLastUsed([]);
    await ctx.catalog.recordLastUsed([
      { tokenId: a.id, at: AT + 10 },
      { tokenId: a.id, at: AT + 30 },
      { tokenId: a.id, at: AT + 20 },
      { tokenId: b.id, at: AT + 5 },
      { tokenId: 987_654_321, at: AT },
    ]);
    assert.equal((await ctx.catalog.getToken(a.id))?.lastUsedAt, AT + 30);
    assert.equal((await ctx.catalog.getToken(b.id))?.lastUsedAt, AT + 5);
    await ctx.catalog.recordLastUsed([
      { tokenId: a.id, at: AT + 1 },
      { tokenId: b.id, at: AT + 6 },
    ]);
    assert.equal((await ctx.catalog.getToken(a.id))?.lastUsedAt, AT + 30);
    assert.equal((await ctx.catalog.getToken(b.id))?.lastUsedAt, AT + 6);
    assert.equal(await ctx.catalog.latestVersion(), version);
    assert.deepEqual(await ctx.catalog.listAudit({ limit: 1 }), audits);
  });

  test('recordLastUsed handles a batch larger than one statement', async () => {
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(await ctx.catalog.createToken(newToken(), uniqueHash(), audit()));
    const entries = [];
    for (let i = 0; i < 1200; i++) entries.push({ tokenId: 1_000_000 + i, at: AT });
    for (const [i, token] of tokens.entries()) entries.push({ tokenId: token.id, at: AT + i });
    await ctx.catalog.recordLastUsed(entries);
    for (const [i, token] of tokens.entries()) assert.equal((await ctx.catalog.getToken(token.id))?.lastUsedAt, AT + i);
  });
}
