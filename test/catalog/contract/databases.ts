import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { audit, type ContractContext, newDatabase, rejectsWith, rowCounts, uniqueName } from './fixtures.ts';

const dbAudit = (action: string) => audit({ action, targetKind: 'database' });

export function databaseContract(ctx: ContractContext): void {
  test('createDatabase returns the record that getDatabase and listDatabases then show', async () => {
    const input = newDatabase({ retentionPeriodMs: 86_400_000 });
    const created = await ctx.catalog.createDatabase(input, dbAudit('database.create'));
    assert.deepEqual(created, {
      id: created.id,
      name: input.name,
      createdAt: input.createdAt,
      deletedAt: null,
      purgedAt: null,
      maxTables: 100,
      maxColumnsPerTable: 200,
      retentionPeriodMs: 86_400_000,
      ownerNode: null,
      upstreamName: input.name,
    });
    assert.ok(Number.isSafeInteger(created.id) && created.id > 0);
    assert.deepEqual(await ctx.catalog.getDatabase(created.id), created);
    assert.deepEqual(
      (await ctx.catalog.listDatabases()).find((db) => db.id === created.id),
      created,
    );
    assert.equal(await ctx.catalog.getDatabase(987_654_321), undefined);
  });

  test('a database keeps the owner node it was created with through edits, delete and undelete', async () => {
    const created = await ctx.catalog.createDatabase(newDatabase({ ownerNode: 'node-a' }), dbAudit('database.create'));
    assert.equal(created.ownerNode, 'node-a');
    assert.equal((await ctx.catalog.getDatabase(created.id))?.ownerNode, 'node-a');
    const renamed = await ctx.catalog.updateDatabase(
      created.id,
      { name: uniqueName('owned'), maxTables: 7 },
      dbAudit('database.update'),
    );
    assert.equal(renamed.ownerNode, 'node-a');
    await ctx.catalog.deleteDatabase(created.id, 1_700_000_000_001, dbAudit('database.delete'));
    const listed = (await ctx.catalog.listDatabases({ includeDeleted: true })).find((db) => db.id === created.id);
    assert.equal(listed?.ownerNode, 'node-a');
    assert.equal((await ctx.catalog.undeleteDatabase(created.id, dbAudit('database.undelete'))).ownerNode, 'node-a');
    const unowned = await ctx.catalog.createDatabase(newDatabase({ ownerNode: null }), dbAudit('database.create'));
    assert.equal((await ctx.catalog.getDatabase(unowned.id))?.ownerNode, null);
  });

  test('the upstream name is the name at create, kept by a rename, and never handed out again', async () => {
    const name = uniqueName('up');
    const first = await ctx.catalog.createDatabase(newDatabase({ name }), dbAudit('database.create'));
    assert.equal(first.upstreamName, name);
    const renamed = await ctx.catalog.updateDatabase(
      first.id,
      { name: uniqueName('moved') },
      dbAudit('database.rename'),
    );
    assert.equal(renamed.upstreamName, name, 'a rename moves no data');
    const again = await ctx.catalog.createDatabase(newDatabase({ name }), dbAudit('database.create'));
    assert.equal(again.upstreamName, `${name}-${again.id}`, 'the name is free, its upstream data is not');
    await ctx.catalog.deleteDatabase(again.id, 1_700_000_000_001, dbAudit('database.delete'));
    const third = await ctx.catalog.createDatabase(newDatabase({ name }), dbAudit('database.create'));
    assert.equal(third.upstreamName, `${name}-${third.id}`);
    await ctx.catalog.deleteDatabase(third.id, 1_700_000_000_002, dbAudit('database.delete'));
    const back = await ctx.catalog.undeleteDatabase(again.id, dbAudit('database.undelete'));
    assert.equal(back.upstreamName, again.upstreamName, 'an undeleted database gets its own data back');
  });

  test('listDatabases orders by id', async () => {
    await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    const ids = (await ctx.catalog.listDatabases()).map((db) => db.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
  });

  test('createDatabase throws DATABASE_EXISTS for a live name and writes nothing', async () => {
    const name = uniqueName('dup');
    await ctx.catalog.createDatabase(newDatabase({ name }), dbAudit('database.create'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.createDatabase(newDatabase({ name }), dbAudit('database.create')),
      'DATABASE_EXISTS',
      new RegExp(`a database named '${name}' already exists`),
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
  });

  test('updateDatabase changes the given fields only and records an update time in the feed', async () => {
    const created = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    const name = uniqueName('renamed');
    const updated = await ctx.catalog.updateDatabase(
      created.id,
      { name, maxTables: 5, retentionPeriodMs: 1000 },
      dbAudit('database.update'),
    );
    assert.deepEqual(updated, { ...created, name, maxTables: 5, retentionPeriodMs: 1000 });
    const cleared = await ctx.catalog.updateDatabase(
      created.id,
      { retentionPeriodMs: null, maxColumnsPerTable: 7 },
      dbAudit('database.update'),
    );
    assert.deepEqual(cleared, { ...updated, retentionPeriodMs: null, maxColumnsPerTable: 7 });
    const version = await ctx.catalog.latestVersion();
    assert.deepEqual(await ctx.catalog.updateDatabase(created.id, {}, dbAudit('database.update')), cleared);
    assert.deepEqual(await ctx.catalog.changesSince(version, 10), [
      { version: await ctx.catalog.latestVersion(), entity: 'database', entityId: created.id },
    ]);
    assert.deepEqual(await ctx.catalog.getDatabase(created.id), cleared);
  });

  test('updateDatabase throws DATABASE_NOT_FOUND for unknown or deleted ids and DATABASE_EXISTS on a clash', async () => {
    await rejectsWith(
      ctx.catalog.updateDatabase(987_654_321, { maxTables: 1 }, dbAudit('database.update')),
      'DATABASE_NOT_FOUND',
    );
    const gone = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.deleteDatabase(gone.id, 1_700_000_000_500, dbAudit('database.delete'));
    await rejectsWith(
      ctx.catalog.updateDatabase(gone.id, { maxTables: 1 }, dbAudit('database.update')),
      'DATABASE_NOT_FOUND',
    );
    const a = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    const b = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(
      ctx.catalog.updateDatabase(b.id, { name: a.name, maxTables: 1 }, dbAudit('database.update')),
      'DATABASE_EXISTS',
      new RegExp(`'${a.name}'`),
    );
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.deepEqual(await ctx.catalog.getDatabase(b.id), b);
    // Renaming onto a deleted database's name is fine: only live names are unique.
    const renamed = await ctx.catalog.updateDatabase(b.id, { name: gone.name }, dbAudit('database.update'));
    assert.equal(renamed.name, gone.name);
  });

  test('deleteDatabase is a soft delete that frees the name for a database with a new id', async () => {
    const first = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.deleteDatabase(first.id, 1_700_000_000_900, dbAudit('database.delete'));
    const deleted = { ...first, deletedAt: 1_700_000_000_900 };
    assert.deepEqual(await ctx.catalog.getDatabase(first.id), deleted);
    assert.equal(
      (await ctx.catalog.listDatabases()).find((db) => db.id === first.id),
      undefined,
    );
    assert.deepEqual(
      (await ctx.catalog.listDatabases({ includeDeleted: true })).find((db) => db.id === first.id),
      deleted,
    );
    const second = await ctx.catalog.createDatabase(newDatabase({ name: first.name }), dbAudit('database.create'));
    assert.ok(second.id > first.id);
    await ctx.catalog.deleteDatabase(second.id, 1_700_000_001_000, dbAudit('database.delete'));
    // Several deleted rows may share a name: the unique index covers live rows only.
    const third = await ctx.catalog.createDatabase(newDatabase({ name: first.name }), dbAudit('database.create'));
    assert.ok(third.id > second.id);
    const sameName = (await ctx.catalog.listDatabases({ includeDeleted: true })).filter((db) => db.name === first.name);
    assert.deepEqual(
      sameName.map((db) => db.id),
      [first.id, second.id, third.id],
    );
    await rejectsWith(
      ctx.catalog.createDatabase(newDatabase({ name: first.name }), dbAudit('database.create')),
      'DATABASE_EXISTS',
    );
  });

  test('deleteDatabase throws DATABASE_NOT_FOUND for an unknown or already deleted id', async () => {
    await rejectsWith(ctx.catalog.deleteDatabase(987_654_321, 1, dbAudit('database.delete')), 'DATABASE_NOT_FOUND');
    const db = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.deleteDatabase(db.id, 2, dbAudit('database.delete'));
    const before = await rowCounts(ctx.harness);
    await rejectsWith(ctx.catalog.deleteDatabase(db.id, 3, dbAudit('database.delete')), 'DATABASE_NOT_FOUND');
    assert.deepEqual(await rowCounts(ctx.harness), before);
    assert.equal((await ctx.catalog.getDatabase(db.id))?.deletedAt, 2);
  });

  test('maxLive is counted in the creating transaction: concurrent creates never pass it', async () => {
    const live = (await ctx.catalog.listDatabases()).length;
    const before = await rowCounts(ctx.harness);
    const maxLive = live + 3;
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, () => ctx.catalog.createDatabase(newDatabase({ maxLive }), dbAudit('database.create'))),
    );
    const created = settled.filter((s) => s.status === 'fulfilled');
    assert.equal(created.length, 3);
    for (const s of settled) {
      if (s.status === 'fulfilled') continue;
      assert.ok(s.reason instanceof FluxgateError, `expected a FluxgateError, got ${String(s.reason)}`);
      assert.equal(s.reason.code, 'DATABASE_LIMIT_REACHED');
      assert.match(s.reason.message, new RegExp(`at most ${maxLive} live databases`));
    }
    assert.equal((await ctx.catalog.listDatabases()).length, maxLive);
    // Only the three creates left rows: the refused ones wrote no database, audit or change row.
    const after = await rowCounts(ctx.harness);
    assert.equal(after.databases, (before.databases ?? 0) + 3);
    assert.equal(after.audit_log, (before.audit_log ?? 0) + 3);
    assert.equal(after.catalog_changes, (before.catalog_changes ?? 0) + 3);
    // At the limit, a live name still gets its own answer; a deleted database makes room.
    const first = (created[0] as PromiseFulfilledResult<{ id: number; name: string }>).value;
    await rejectsWith(
      ctx.catalog.createDatabase(newDatabase({ name: first.name, maxLive }), dbAudit('database.create')),
      'DATABASE_EXISTS',
    );
    await ctx.catalog.deleteDatabase(first.id, 5, dbAudit('database.delete'));
    await ctx.catalog.createDatabase(newDatabase({ maxLive }), dbAudit('database.create'));
    await rejectsWith(
      ctx.catalog.createDatabase(newDatabase({ maxLive }), dbAudit('database.create')),
      'DATABASE_LIMIT_REACHED',
    );
  });
}
