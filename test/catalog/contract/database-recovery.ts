import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audit, type ContractContext, newDatabase, rejectsWith, rowCounts } from './fixtures.ts';

const dbAudit = (action: string, at = 1_700_000_000_000) => audit({ action, targetKind: 'database', at });

/** Undelete and purge: a deleted database comes back with its id until its files are purged. */
export function databaseRecoveryContract(ctx: ContractContext): void {
  test('undeleteDatabase brings a deleted database back live with the same id, fields and feed entry', async () => {
    const created = await ctx.catalog.createDatabase(
      newDatabase({ retentionPeriodMs: 5_000 }),
      dbAudit('database.create'),
    );
    await ctx.catalog.deleteDatabase(created.id, 1_700_000_000_100, dbAudit('database.delete'));
    const version = await ctx.catalog.latestVersion();
    const back = await ctx.catalog.undeleteDatabase(created.id, dbAudit('database.undelete', 1_700_000_000_200));
    assert.deepEqual(back, created);
    assert.deepEqual(await ctx.catalog.getDatabase(created.id), created);
    assert.ok((await ctx.catalog.listDatabases()).some((db) => db.id === created.id));
    assert.deepEqual(await ctx.catalog.changesSince(version, 10), [
      { version: await ctx.catalog.latestVersion(), entity: 'database', entityId: created.id },
    ]);
    const [entry] = await ctx.catalog.listAudit({ limit: 1 });
    assert.equal(entry?.action, 'database.undelete');
    assert.equal(entry?.targetId, created.id);
  });

  test('undeleteDatabase throws DATABASE_EXISTS when a live database took the name, and writes nothing', async () => {
    const first = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.deleteDatabase(first.id, 1_700_000_000_100, dbAudit('database.delete'));
    const second = await ctx.catalog.createDatabase(newDatabase({ name: first.name }), dbAudit('database.create'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.undeleteDatabase(first.id, dbAudit('database.undelete')),
      'DATABASE_EXISTS',
      new RegExp(`'${first.name}'`),
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.equal((await ctx.catalog.getDatabase(first.id))?.deletedAt, 1_700_000_000_100);
    // Once the name is free again (the newer one renamed), the old one comes back.
    await ctx.catalog.updateDatabase(second.id, { name: `${first.name}-new` }, dbAudit('database.rename'));
    assert.equal((await ctx.catalog.undeleteDatabase(first.id, dbAudit('database.undelete'))).name, first.name);
  });

  test('undeleteDatabase throws DATABASE_NOT_FOUND for an unknown, a live or a purged id', async () => {
    await rejectsWith(ctx.catalog.undeleteDatabase(987_654_321, dbAudit('database.undelete')), 'DATABASE_NOT_FOUND');
    const live = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await rejectsWith(ctx.catalog.undeleteDatabase(live.id, dbAudit('database.undelete')), 'DATABASE_NOT_FOUND');
    const gone = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.deleteDatabase(gone.id, 1_700_000_000_100, dbAudit('database.delete'));
    await ctx.catalog.purgeDatabase(gone.id, 1_700_000_000_300, dbAudit('database.purge'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(ctx.catalog.undeleteDatabase(gone.id, dbAudit('database.undelete')), 'DATABASE_NOT_FOUND');
    assert.deepEqual(await rowCounts(ctx.harness), before);
  });

  test('purgeDatabase marks a deleted database purged once; the row stays for the names grants show', async () => {
    const db = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await rejectsWith(ctx.catalog.purgeDatabase(db.id, 5, dbAudit('database.purge')), 'DATABASE_NOT_FOUND');
    await ctx.catalog.deleteDatabase(db.id, 1_700_000_000_100, dbAudit('database.delete'));
    const version = await ctx.catalog.latestVersion();
    await ctx.catalog.purgeDatabase(db.id, 1_700_000_000_400, dbAudit('database.purge'));
    const purged = { ...db, deletedAt: 1_700_000_000_100, purgedAt: 1_700_000_000_400 };
    assert.deepEqual(await ctx.catalog.getDatabase(db.id), purged);
    assert.deepEqual(
      (await ctx.catalog.listDatabases({ includeDeleted: true })).find((row) => row.id === db.id),
      purged,
    );
    assert.deepEqual(await ctx.catalog.changesSince(version, 10), [
      { version: await ctx.catalog.latestVersion(), entity: 'database', entityId: db.id },
    ]);
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.purgeDatabase(db.id, 1_700_000_000_500, dbAudit('database.purge')),
      'DATABASE_NOT_FOUND',
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
    await rejectsWith(ctx.catalog.purgeDatabase(987_654_321, 1, dbAudit('database.purge')), 'DATABASE_NOT_FOUND');
  });
}
