import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry, AuditRecord, CatalogChange } from '../../../src/catalog/catalog.ts';
import {
  audit,
  type ContractContext,
  delay,
  eventually,
  newDatabase,
  newToken,
  rejectsWith,
  uniqueHash,
} from './fixtures.ts';

const AT = 1_700_000_300_000;

/** A stored record without what the chain adds, to compare with the entry that was appended. */
function entryOf(record: AuditRecord | undefined): AuditEntry | undefined {
  if (record === undefined) return undefined;
  const {
    id: _i,
    seq: _s,
    prevHash: _p,
    hash: _h,
    actorKind: _k,
    requestId: _r,
    count,
    firstAt,
    lastAt,
    ...entry
  } = record;
  assert.equal(count, 1);
  assert.equal(firstAt, entry.at);
  assert.equal(lastAt, entry.at);
  return entry;
}

export function auditAndFeedContract(ctx: ContractContext): void {
  test('every mutation appends its audit record, with the new id filled in on create', async () => {
    const [newest] = await ctx.catalog.listAudit({ limit: 1 });
    const createAudit = audit({
      at: AT,
      actorTokenId: 5,
      actorName: '_admin',
      action: 'token.create',
      targetName: 'n',
      details: { permissions: ['db:*:read'], nested: { a: 1 } },
    });
    const token = await ctx.catalog.createToken(newToken(), uniqueHash(), createAudit);
    await ctx.catalog.updateToken(
      token.id,
      { description: 'd' },
      AT,
      5,
      audit({ action: 'token.update', targetId: token.id }),
    );
    await ctx.catalog.replaceTokenSecret(
      token.id,
      uniqueHash(),
      { at: AT, by: 5, hint: 'h', oldRetireAt: null },
      audit({ action: 'token.regenerate' }),
    );
    await ctx.catalog.revokeToken(token.id, AT, 5, audit({ action: 'token.revoke' }));
    const dbAudit = (action: string) => audit({ action, targetKind: 'database' });
    const db = await ctx.catalog.createDatabase(newDatabase(), dbAudit('database.create'));
    await ctx.catalog.updateDatabase(db.id, { maxTables: 3 }, dbAudit('database.update'));
    await ctx.catalog.deleteDatabase(db.id, AT, dbAudit('database.delete'));

    const records = await ctx.catalog.listAudit({ limit: 7 });
    assert.deepEqual(
      records.map((r) => [r.action, r.targetKind, r.targetId]),
      [
        ['database.delete', 'database', db.id],
        ['database.update', 'database', db.id],
        ['database.create', 'database', db.id],
        ['token.revoke', 'token', token.id],
        ['token.regenerate', 'token', token.id],
        ['token.update', 'token', token.id],
        ['token.create', 'token', token.id],
      ],
    );
    assert.deepEqual(entryOf(records[6]), { ...createAudit, targetId: token.id });
    assert.ok((records[6]?.id ?? 0) > (newest?.id ?? 0));
  });

  test('appendAudit stores a record alone; listAudit is newest first and pages with beforeId', async () => {
    const version = await ctx.catalog.latestVersion();
    const entries = [1, 2, 3].map((n) =>
      audit({
        at: AT + n,
        action: `auth.denied.${n}`,
        targetKind: 'server',
        outcome: n === 2 ? 'failed' : 'denied',
        sourceIp: n === 3 ? null : '10.0.0.1',
        actorName: null,
        details: { n, reason: 'unknown token', list: [1, 'two', null] },
      }),
    );
    for (const entry of entries) await ctx.catalog.appendAudit(entry);
    assert.equal(await ctx.catalog.latestVersion(), version);
    const page = await ctx.catalog.listAudit({ limit: 2 });
    assert.deepEqual(page.map(entryOf), [entries[2], entries[1]]);
    const [newer, older] = page as [(typeof page)[0], (typeof page)[0]];
    assert.ok(newer.id > older.id);
    const next = await ctx.catalog.listAudit({ limit: 1, beforeId: older.id });
    assert.deepEqual(next.map(entryOf), [entries[0]]);
    assert.deepEqual(await ctx.catalog.listAudit({ limit: 5, beforeId: 1 }), []);
  });

  test('latestVersion and changesSince follow every committed mutation, in order', async () => {
    const start = await ctx.catalog.latestVersion();
    const token = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const db = await ctx.catalog.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
    await ctx.catalog.updateToken(token.id, { description: 'x' }, AT, null, audit());
    await ctx.catalog.replaceTokenSecret(
      token.id,
      uniqueHash(),
      { at: AT, by: null, hint: 'h', oldRetireAt: 1 },
      audit(),
    );
    await ctx.catalog.updateDatabase(db.id, { maxTables: 2 }, audit({ targetKind: 'database' }));
    await ctx.catalog.revokeToken(token.id, AT, null, audit());
    await ctx.catalog.deleteDatabase(db.id, AT, audit({ targetKind: 'database' }));
    // Neither failures nor non-changes move the feed.
    await rejectsWith(ctx.catalog.revokeToken(token.id, AT, null, audit()), 'TOKEN_NOT_FOUND');
    await ctx.catalog.recordLastUsed([{ tokenId: token.id, at: AT }]);
    await ctx.catalog.appendAudit(audit());

    const changes = await ctx.catalog.changesSince(start, 100);
    assert.deepEqual(
      changes.map((c) => [c.entity, c.entityId]),
      [
        ['token', token.id],
        ['database', db.id],
        ['token', token.id],
        ['token', token.id],
        ['database', db.id],
        ['token', token.id],
        ['database', db.id],
      ],
    );
    const versions = changes.map((c) => c.version);
    assert.ok(versions.every((v, i) => v > start && (i === 0 || v > (versions[i - 1] ?? 0))));
    assert.equal(await ctx.catalog.latestVersion(), versions.at(-1));
    assert.deepEqual(await ctx.catalog.changesSince(start, 2), changes.slice(0, 2));
    assert.deepEqual(await ctx.catalog.changesSince(versions[4] ?? 0, 100), changes.slice(5));
    assert.deepEqual(await ctx.catalog.changesSince(await ctx.catalog.latestVersion(), 100), []);
  });

  test('onChange fires after the commit, not for failures, and stops when unsubscribed', async () => {
    const start = await ctx.catalog.latestVersion();
    const seen: CatalogChange[][] = [];
    let calls = 0;
    const stop = ctx.catalog.onChange(() => {
      calls += 1;
      // Reading from the listener proves the change is already committed.
      void ctx.catalog.changesSince(start, 10).then((changes) => seen.push(changes));
    });
    const token = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    await eventually(() => seen.length > 0);
    assert.deepEqual(
      seen[0]?.map((c) => [c.entity, c.entityId]),
      [['token', token.id]],
    );
    await delay(100);
    const afterOne = calls;
    await rejectsWith(
      ctx.catalog.createToken(newToken({ name: token.name }), uniqueHash(), audit()),
      'TOKEN_NAME_TAKEN',
    );
    await ctx.catalog.recordLastUsed([{ tokenId: token.id, at: AT }]);
    await ctx.catalog.appendAudit(audit());
    await delay(100);
    assert.equal(calls, afterOne);
    stop();
    await ctx.catalog.revokeToken(token.id, AT, null, audit());
    await delay(100);
    assert.equal(calls, afterOne);
  });

  test('onChange of one catalog instance fires for a change made through another on the same store', async () => {
    const other = await ctx.harness.open();
    try {
      const start = await ctx.catalog.latestVersion();
      let heardByOther = 0;
      let heardByMain = 0;
      const stopOther = other.onChange(() => {
        heardByOther += 1;
      });
      const stopMain = ctx.catalog.onChange(() => {
        heardByMain += 1;
      });
      const token = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
      await eventually(() => heardByOther > 0);
      assert.deepEqual(
        (await other.changesSince(start, 10)).map((c) => c.entityId),
        [token.id],
      );
      heardByMain = 0;
      await other.createDatabase(newDatabase(), audit({ targetKind: 'database' }));
      await eventually(() => heardByMain > 0);
      stopOther();
      stopMain();
    } finally {
      await other.close();
    }
  });
}
