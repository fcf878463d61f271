import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateToken, hashToken, tokenHint } from '../../../src/domain/token-format.ts';
import { audit, type ContractContext, newToken, rejectsWith, rowCounts, uniqueHash } from './fixtures.ts';

const AT = 1_700_000_200_000;

export function secretContract(ctx: ContractContext): void {
  test('replaceTokenSecret with no grace period deletes the old secrets at once', async () => {
    const old = uniqueHash();
    const token = await ctx.catalog.createToken(newToken(), old, audit());
    const fresh = uniqueHash();
    const replaced = await ctx.catalog.replaceTokenSecret(
      token.id,
      fresh,
      { at: AT, by: 4, hint: 'fgd_WxYz…', oldRetireAt: null },
      audit({ action: 'token.regenerate' }),
    );
    assert.deepEqual(replaced, { ...token, hint: 'fgd_WxYz…', updatedAt: AT, updatedBy: 4 });
    assert.deepEqual(await ctx.catalog.getToken(token.id), replaced);
    assert.equal(await ctx.catalog.findTokenByHash(old), undefined);
    assert.deepEqual((await ctx.catalog.findTokenByHash(fresh))?.secret, {
      hash: fresh,
      tokenId: token.id,
      retiresAt: null,
    });
    assert.deepEqual(await ctx.catalog.getTokenSecrets(token.id, AT), [
      { hash: fresh, tokenId: token.id, retiresAt: null },
    ]);
  });

  test('replaceTokenSecret with a grace period retires the old secrets then, never later than already set', async () => {
    const first = uniqueHash();
    const token = await ctx.catalog.createToken(newToken(), first, audit());
    const second = uniqueHash();
    await ctx.catalog.replaceTokenSecret(
      token.id,
      second,
      { at: AT, by: null, hint: 'h2', oldRetireAt: AT + 100 },
      audit(),
    );
    const third = uniqueHash();
    await ctx.catalog.replaceTokenSecret(
      token.id,
      third,
      { at: AT + 10, by: null, hint: 'h3', oldRetireAt: AT + 500 },
      audit(),
    );
    const secret = (hash: string, retiresAt: number | null) => ({ hash, tokenId: token.id, retiresAt });
    const sorted = (list: { hash: string }[]) => [...list].sort((x, y) => x.hash.localeCompare(y.hash));
    // `first` keeps its earlier retirement; `second` retires with the later grace period.
    assert.deepEqual(
      sorted(await ctx.catalog.getTokenSecrets(token.id, AT + 20)),
      sorted([secret(first, AT + 100), secret(second, AT + 500), secret(third, null)]),
    );
    assert.deepEqual(
      sorted(await ctx.catalog.getTokenSecrets(token.id, AT + 100)),
      sorted([secret(second, AT + 500), secret(third, null)]),
    );
    assert.deepEqual(await ctx.catalog.getTokenSecrets(token.id, AT + 500), [secret(third, null)]);
    // A retired secret still leads to its token, with its retirement, so the caller can tell why it fails.
    const found = await ctx.catalog.findTokenByHash(first);
    assert.deepEqual(found?.secret, secret(first, AT + 100));
    assert.equal(found?.token.hint, 'h3');
    // A shorter grace period than one already running wins.
    const fourth = uniqueHash();
    await ctx.catalog.replaceTokenSecret(
      token.id,
      fourth,
      { at: AT + 20, by: null, hint: 'h4', oldRetireAt: AT + 50 },
      audit(),
    );
    assert.deepEqual(
      sorted(await ctx.catalog.getTokenSecrets(token.id, AT + 20)),
      sorted([secret(first, AT + 50), secret(second, AT + 50), secret(third, AT + 50), secret(fourth, null)]),
    );
  });

  test('replaceTokenSecret throws TOKEN_NOT_FOUND for unknown or revoked ids', async () => {
    const args = { at: AT, by: null, hint: 'h', oldRetireAt: null };
    await rejectsWith(ctx.catalog.replaceTokenSecret(987_654_321, uniqueHash(), args, audit()), 'TOKEN_NOT_FOUND');
    const hash = uniqueHash();
    const token = await ctx.catalog.createToken(newToken(), hash, audit());
    await ctx.catalog.revokeToken(token.id, AT, null, audit());
    await rejectsWith(ctx.catalog.replaceTokenSecret(token.id, uniqueHash(), args, audit()), 'TOKEN_NOT_FOUND');
    assert.equal((await ctx.catalog.findTokenByHash(hash))?.token.id, token.id);
  });

  test('replaceTokenSecret with a known secret throws TOKEN_HASH_TAKEN and rolls everything back', async () => {
    const taken = uniqueHash();
    await ctx.catalog.createToken(newToken(), taken, audit());
    const own = uniqueHash();
    const token = await ctx.catalog.createToken(newToken(), own, audit());
    const before = await rowCounts(ctx.harness);
    const version = await ctx.catalog.latestVersion();
    // The old secret is deleted before the new one clashes: the rollback must bring it back.
    await rejectsWith(
      ctx.catalog.replaceTokenSecret(token.id, taken, { at: AT, by: 1, hint: 'changed', oldRetireAt: null }, audit()),
      'TOKEN_HASH_TAKEN',
    );
    await rejectsWith(
      ctx.catalog.replaceTokenSecret(token.id, taken, { at: AT, by: 1, hint: 'changed', oldRetireAt: AT + 5 }, audit()),
      'TOKEN_HASH_TAKEN',
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.equal(await ctx.catalog.latestVersion(), version);
    assert.deepEqual(await ctx.catalog.getToken(token.id), token);
    assert.deepEqual(await ctx.catalog.getTokenSecrets(token.id, AT), [
      { hash: own, tokenId: token.id, retiresAt: null },
    ]);
  });

  test("a token's secret is stored only as its SHA-512, and the hash only in token_secrets", async () => {
    const secret = generateToken('database');
    const hash = hashToken(secret);
    const token = await ctx.catalog.createToken(newToken({ hint: tokenHint(secret) }), hash, audit());
    const rotated = generateToken('database');
    await ctx.catalog.replaceTokenSecret(
      token.id,
      hashToken(rotated),
      { at: AT, by: null, hint: tokenHint(rotated), oldRetireAt: AT + 1000 },
      audit(),
    );
    const dump: Record<string, string> = {};
    for (const table of ['databases', 'tokens', 'token_secrets', 'token_grants', 'audit_log', 'catalog_changes']) {
      dump[table] = JSON.stringify(await ctx.harness.query(`select * from ${table}`));
    }
    const everything = Object.values(dump).join('\n');
    for (const plain of [secret, rotated]) {
      // The hint shows the prefix and four characters; nothing beyond them may be stored anywhere.
      assert.ok(!everything.includes(plain.slice(8, 24)), 'a token string is stored');
    }
    assert.ok(dump.token_secrets?.includes(hash));
    assert.ok(dump.token_secrets?.includes(hashToken(rotated)));
    for (const [table, text] of Object.entries(dump)) {
      if (table !== 'token_secrets') assert.ok(!text.includes(hash), `the hash is stored in ${table}`);
    }
  });
}
