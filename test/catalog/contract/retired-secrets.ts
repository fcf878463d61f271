import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audit, type ContractContext, newToken, rowCounts, uniqueHash } from './fixtures.ts';

/** Times before every other test's, so a purge here never touches another test's secrets. */
const T0 = 1_600_000_000_000;

async function rotatedToken(ctx: ContractContext, retireAt: number) {
  const old = uniqueHash();
  const token = await ctx.catalog.createToken(newToken(), old, audit());
  const fresh = uniqueHash();
  await ctx.catalog.replaceTokenSecret(
    token.id,
    fresh,
    { at: T0, by: null, hint: 'fgd_Rot8…', oldRetireAt: retireAt },
    audit({ action: 'database_token.rotate' }),
  );
  return { token, old, fresh };
}

const purgeAudit = (token: { id: number; name: string }, secrets: number) =>
  audit({ action: 'token_secret.purge', targetId: token.id, targetName: token.name, details: { secrets } });

export function retiredSecretContract(ctx: ContractContext): void {
  test('purgeRetiredSecrets deletes only secrets retired by then, audits each token once, and feeds the change', async () => {
    const { token, old, fresh } = await rotatedToken(ctx, T0 + 5_000);
    const newest = uniqueHash();
    await ctx.catalog.replaceTokenSecret(
      token.id,
      newest,
      { at: T0 + 1, by: null, hint: 'fgd_Rot9…', oldRetireAt: T0 + 20_000 },
      audit({ action: 'database_token.rotate' }),
    );
    const version = await ctx.catalog.latestVersion();
    const before = await rowCounts(ctx.harness);
    const purged = await ctx.catalog.purgeRetiredSecrets(T0 + 10_000, 100, purgeAudit, T0 + 10_000);
    assert.deepEqual(purged, [{ hash: old, tokenId: token.id, retiresAt: T0 + 5_000 }]);
    assert.equal(await ctx.catalog.findTokenByHash(old), undefined);
    assert.equal((await ctx.catalog.findTokenByHash(fresh))?.secret.retiresAt, T0 + 20_000, 'still in its grace');
    assert.equal((await ctx.catalog.findTokenByHash(newest))?.secret.retiresAt, null);
    const after = await rowCounts(ctx.harness);
    assert.equal(after.token_secrets, (before.token_secrets ?? 0) - 1);
    assert.equal(after.audit_log, (before.audit_log ?? 0) + 1);
    const [entry] = await ctx.catalog.listAudit({ limit: 1 });
    assert.deepEqual(
      [entry?.action, entry?.targetId, entry?.targetName, entry?.details],
      ['token_secret.purge', token.id, token.name, { secrets: 1 }],
    );
    assert.ok(!JSON.stringify(entry).includes(old), 'no hash in the audit row');
    const changes = await ctx.catalog.changesSince(version, 10);
    assert.deepEqual(
      changes.map((c) => [c.entity, c.entityId]),
      [['token', token.id]],
    );

    const again = await rowCounts(ctx.harness);
    assert.deepEqual(await ctx.catalog.purgeRetiredSecrets(T0 + 10_000, 100, purgeAudit, T0 + 10_000), []);
    assert.deepEqual(await rowCounts(ctx.harness), again, 'an empty purge writes nothing');
  });

  test('purgeRetiredSecrets takes at most `limit` secrets, oldest first', async () => {
    const rotated = [];
    for (const offset of [300, 100, 200]) rotated.push(await rotatedToken(ctx, T0 + offset));
    const first = await ctx.catalog.purgeRetiredSecrets(T0 + 1_000, 2, purgeAudit, T0 + 1_000);
    assert.deepEqual(
      first.map((s) => s.retiresAt),
      [T0 + 100, T0 + 200],
    );
    const second = await ctx.catalog.purgeRetiredSecrets(T0 + 1_000, 2, purgeAudit, T0 + 1_000);
    assert.deepEqual(
      second.map((s) => [s.tokenId, s.retiresAt]),
      [[rotated[0]?.token.id, T0 + 300]],
    );
  });
}
