import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Catalog } from '../../../src/catalog/catalog.ts';
import { audit, type ContractContext, newDatabase, newToken, uniqueHash } from './fixtures.ts';

const AT = 1_700_000_400_000;

async function snapshot(catalog: Catalog) {
  return {
    databases: await catalog.listDatabases({ includeDeleted: true }),
    tokens: await catalog.listTokens({ includeRevoked: true }),
    loaded: await catalog.loadTokens(0, 1_000_000, AT),
    audit: await catalog.listAudit({ limit: 1_000_000 }),
    version: await catalog.latestVersion(),
    changes: await catalog.changesSince(0, 1_000_000),
  };
}

export function durabilityContract(ctx: ContractContext): void {
  test('everything survives closing and reopening the catalog', async () => {
    const hash = uniqueHash();
    const token = await ctx.catalog.createToken(newToken({ grants: [{ type: 'admin' }] }), hash, audit());
    await ctx.catalog.recordLastUsed([{ tokenId: token.id, at: AT }]);
    const db = await ctx.catalog.createDatabase(
      newDatabase({ retentionPeriodMs: 5 }),
      audit({ targetKind: 'database' }),
    );
    await ctx.catalog.deleteDatabase(db.id, AT, audit({ targetKind: 'database' }));
    const before = await snapshot(ctx.catalog);
    await ctx.catalog.close();
    ctx.catalog = await ctx.harness.open();
    assert.deepEqual(await snapshot(ctx.catalog), before);
    assert.deepEqual(await ctx.catalog.findTokenByHash(hash), {
      token: { ...token, lastUsedAt: AT },
      secret: { hash, tokenId: token.id, retiresAt: null },
    });
    // The reopened catalog carries on where the old one stopped.
    const next = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    assert.ok(next.id > token.id);
    assert.ok((await ctx.catalog.latestVersion()) > before.version);
  });

  test('opening an already migrated store again is fine and applies nothing twice', async () => {
    const again = await ctx.harness.open();
    const third = await ctx.harness.open();
    await Promise.all([again.close(), third.close()]);
    const rows = await ctx.harness.query('select name from catalog_migration order by name');
    assert.deepEqual(
      rows.map((row) => row.name),
      [
        '0001-initial',
        '0002-users',
        '0003-database-purge',
        '0004-nodes',
        '0005-management-plane',
        '0006-audit-chain',
        '0007-database-owner',
        '0008-upstream-name',
      ],
    );
    assert.ok((await ctx.catalog.listTokens()).length > 0);
  });

  test('ids are never reused, not even after the newest row is gone', async () => {
    const token = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const db = await ctx.catalog.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
    // The port never deletes these rows; an operator might, and a reused id would inherit grants.
    await ctx.harness.query(`delete from token_grants where token_id = ${token.id}`);
    await ctx.harness.query(`delete from token_secrets where token_id = ${token.id}`);
    await ctx.harness.query(`delete from tokens where id = ${token.id}`);
    await ctx.harness.query(`delete from databases where id = ${db.id}`);
    const nextToken = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const nextDb = await ctx.catalog.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
    assert.ok(nextToken.id > token.id, `token id ${nextToken.id} reused`);
    assert.ok(nextDb.id > db.id, `database id ${nextDb.id} reused`);
    const [newestAudit] = await ctx.catalog.listAudit({ limit: 1 });
    await ctx.harness.query(`delete from audit_log where id = ${newestAudit?.id}`);
    await ctx.catalog.appendAudit(audit());
    const [nextAudit] = await ctx.catalog.listAudit({ limit: 1 });
    assert.ok((nextAudit?.id ?? 0) > (newestAudit?.id ?? 0));
  });
}
