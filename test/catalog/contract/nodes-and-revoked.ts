import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audit, type ContractContext, newToken, uniqueHash, uniqueName } from './fixtures.ts';

const AT = 1_700_000_300_000;

export function nodesAndRevokedContract(ctx: ContractContext): void {
  test('loadRevokedHashes lists the secrets of revoked tokens and retired secrets, newest first, never live ones', async () => {
    const live = uniqueHash();
    const revokedHash = uniqueHash();
    const liveToken = await ctx.catalog.createToken(newToken(), live, audit());
    const revoked = await ctx.catalog.createToken(newToken(), revokedHash, audit());
    await ctx.catalog.revokeToken(revoked.id, AT, null, audit());
    await ctx.catalog.replaceTokenSecret(
      liveToken.id,
      uniqueHash(),
      { at: AT, by: null, hint: 'h', oldRetireAt: AT + 10 },
      audit(),
    );
    const before = await ctx.catalog.loadRevokedHashes(1000, AT + 5);
    assert.ok(before.includes(revokedHash), 'a revoked token’s secret');
    assert.ok(!before.includes(live), 'a secret still in its grace period is not revoked yet');
    const after = await ctx.catalog.loadRevokedHashes(1000, AT + 10);
    assert.ok(after.includes(live), 'a retired secret');
    assert.deepEqual(await ctx.catalog.loadRevokedHashes(1, AT + 10), [after[0]], 'the limit holds');
  });

  test('nodes heartbeat, are listed while live, and are removed', async () => {
    const id = uniqueName('node');
    const node = { id, address: 'http://127.0.0.1:1', startedAt: AT, heartbeatAt: AT, appliedVersion: 3 };
    await ctx.catalog.heartbeatNode(node);
    await ctx.catalog.heartbeatNode({ ...node, heartbeatAt: AT + 1000, appliedVersion: 7, startedAt: 1 });
    const listed = (await ctx.catalog.listNodes(AT + 500)).filter((n) => n.id === id);
    assert.deepEqual(listed, [{ ...node, heartbeatAt: AT + 1000, appliedVersion: 7 }], 'started_at is kept');
    assert.deepEqual(
      (await ctx.catalog.listNodes(AT + 1001)).filter((n) => n.id === id),
      [],
      'not live any more',
    );
    await ctx.catalog.removeNode(id);
    assert.deepEqual(
      (await ctx.catalog.listNodes(0)).filter((n) => n.id === id),
      [],
    );
  });
}
