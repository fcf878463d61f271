import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
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

  test('maxLive on undelete is counted in its transaction: concurrent undeletes and creates never pass it', async () => {
    const deleted = [];
    for (let i = 0; i < 6; i++) {
      const db = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
      await ctx.catalog.deleteDatabase(db.id, 1_700_000_000_100, dbAudit('database.delete'));
      deleted.push(db);
    }
    const live = (await ctx.catalog.listDatabases()).length;
    const before = await rowCounts(ctx.harness);
    const maxLive = live + 2;
    const settled = await Promise.allSettled(
      deleted.map((db) => ctx.catalog.undeleteDatabase(db.id, dbAudit('database.undelete'), { maxLive })),
    );
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 2);
    for (const s of settled) {
      if (s.status === 'fulfilled') continue;
      assert.ok(s.reason instanceof FluxgateError, `expected a FluxgateError, got ${String(s.reason)}`);
      assert.equal(s.reason.code, 'DATABASE_LIMIT_REACHED');
      assert.match(s.reason.message, new RegExp(`cannot undelete database .* at most ${maxLive} live databases`));
    }
    assert.equal((await ctx.catalog.listDatabases()).length, maxLive);
    // Only the two undeletes wrote audit and change rows; the refused ones stay deleted.
    const after = await rowCounts(ctx.harness);
    assert.equal(after.audit_log, (before.audit_log ?? 0) + 2);
    assert.equal(after.catalog_changes, (before.catalog_changes ?? 0) + 2);
    const still = [];
    for (const db of deleted) {
      if ((await ctx.catalog.getDatabase(db.id))?.deletedAt !== null) still.push(db);
    }
    assert.equal(still.length, 4);
    // At the limit, an id that cannot be undeleted still gets its own answer.
    await rejectsWith(
      ctx.catalog.undeleteDatabase(987_654_321, dbAudit('database.undelete'), { maxLive }),
      'DATABASE_NOT_FOUND',
    );
    // Creates and undeletes share the one count: with room for one, one of a mixed pair passes.
    const [one, two] = still;
    assert.ok(one !== undefined && two !== undefined);
    await ctx.catalog.deleteDatabase(
      (settled.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<{ id: number }>).value.id,
      1_700_000_000_200,
      dbAudit('database.delete'),
    );
    const mixed = await Promise.allSettled([
      ctx.catalog.undeleteDatabase(one.id, dbAudit('database.undelete'), { maxLive }),
      ctx.catalog.createDatabase(newDatabase({ maxLive }), dbAudit('database.create')),
      ctx.catalog.undeleteDatabase(two.id, dbAudit('database.undelete'), { maxLive }),
    ]);
    assert.equal(mixed.filter((s) => s.status === 'fulfilled').length, 1);
    assert.equal((await ctx.catalog.listDatabases()).length, maxLive);
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
