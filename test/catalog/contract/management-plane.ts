import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audit, type ContractContext, newToken, uniqueHash } from './fixtures.ts';

const FIRST = { accountId: 'a0000000-0000-4000-8000-000000000001', clusterId: 'c0000000-0000-4000-8000-000000000001' };
const OTHER = { accountId: 'a0000000-0000-4000-8000-000000000002', clusterId: 'c0000000-0000-4000-8000-000000000002' };

export function managementPlaneContract(ctx: ContractContext): void {
  test('a management token keeps its role through lookups and edits; other kinds have none', async () => {
    const management = await ctx.catalog.createToken(
      { ...newToken(), kind: 'management', grants: [], role: 'member' },
      uniqueHash(),
      audit(),
    );
    assert.equal(management.role, 'member');
    assert.equal((await ctx.catalog.getToken(management.id))?.role, 'member');
    const edited = await ctx.catalog.updateToken(management.id, { role: 'auditor' }, 1, null, audit());
    assert.equal(edited.role, 'auditor');
    assert.equal((await ctx.catalog.findTokenByName(management.name))?.role, 'auditor');
    const database = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    assert.equal((await ctx.catalog.getToken(database.id))?.role, null);
  });

  test('the cluster identity is generated once and kept, and configured ids replace it for every node', async () => {
    const kept = await ctx.catalog.clusterIdentity({}, FIRST);
    assert.deepEqual(await ctx.catalog.clusterIdentity({}, OTHER), kept, 'a later start reuses the kept ids');
    const reopened = await ctx.harness.open();
    try {
      assert.deepEqual(await reopened.clusterIdentity({}, OTHER), kept, 'another node sees the same ids');
      const configured = await reopened.clusterIdentity({ clusterId: OTHER.clusterId }, OTHER);
      assert.deepEqual(configured, { accountId: kept.accountId, clusterId: OTHER.clusterId });
    } finally {
      await reopened.close();
    }
    assert.deepEqual(await ctx.catalog.clusterIdentity({}, FIRST), {
      accountId: kept.accountId,
      clusterId: OTHER.clusterId,
    });
  });
}
