import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { initialMigration } from '../../src/catalog/migrations/0001-initial.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import { catalogContract } from './catalog-contract.ts';
import { audit, newToken, uniqueHash } from './contract/fixtures.ts';

describe('sqlite catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-catalog-'));
  const file = join(dir, 'nested', 'catalog.sqlite');
  let raw: Database.Database | undefined;

  catalogContract(
    {
      open: () => openCatalog({ kind: 'sqlite', file }),
      async query(sql) {
        raw ??= new Database(file);
        const statement = raw.prepare(sql);
        if (!statement.reader) {
          statement.run();
          return [];
        }
        return statement.all() as Record<string, unknown>[];
      },
      async cleanup() {
        raw?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
    'sqlite',
  );

  test('instances of one process on the same file take turns instead of stalling on the lock', async () => {
    const a = await openCatalog({ kind: 'sqlite', file });
    const b = await openCatalog({ kind: 'sqlite', file });
    try {
      const started = Date.now();
      const made = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).createToken(newToken(), uniqueHash(), audit())),
      );
      assert.ok(Date.now() - started < 4000, 'a writer waited for the busy timeout');
      assert.equal(new Set(made.map((t) => t.id)).size, 50);
    } finally {
      await a.close();
    }
    // Closing one instance leaves the other working.
    try {
      assert.ok((await b.listTokens()).length >= 50);
    } finally {
      await b.close();
    }
  });

  test('the file is in WAL mode, with ids from AUTOINCREMENT and the partial unique indexes', () => {
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const sqlOf = (name: string) =>
        (db.prepare('select sql from sqlite_master where name = ?').get(name) as { sql: string } | undefined)?.sql;
      assert.match(sqlOf('tokens') ?? '', /autoincrement/i);
      assert.match(sqlOf('databases') ?? '', /autoincrement/i);
      assert.match(sqlOf('tokens_live_name') ?? '', /where "revoked_at" is null/i);
      assert.match(sqlOf('databases_live_name') ?? '', /where "deleted_at" is null/i);
    } finally {
      db.close();
    }
  });
});

test('an in-memory sqlite catalog works, for tests of other layers, and is private', async () => {
  const catalog = await openCatalog({ kind: 'sqlite', file: ':memory:' });
  const other = await openCatalog({ kind: 'sqlite', file: ':memory:' });
  try {
    let heard = 0;
    catalog.onChange(() => {
      heard += 1;
    });
    const token = await catalog.createToken(newToken(), uniqueHash(), audit());
    assert.deepEqual(await catalog.getToken(token.id), token);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(heard, 1);
    assert.deepEqual(await other.listTokens(), []);
  } finally {
    await Promise.all([catalog.close(), other.close()]);
  }
});

test('a catalog made before users existed is upgraded with its change feed intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-catalog-upgrade-'));
  const file = join(dir, 'catalog.sqlite');
  try {
    const raw = new Database(file);
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ '0001-initial': initialMigration('sqlite') }) },
      migrationTableName: 'catalog_migration',
      migrationLockTableName: 'catalog_migration_lock',
    });
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    raw.exec(`insert into catalog_changes (entity, entity_id, at) values ('token', 1, 0), ('database', 2, 0)`);
    raw.exec(`insert into audit_log (at, actor_name, action, target_kind, outcome, details)
      values (1, 'a', 'token.create', 'token', 'ok', '{}'), (2, 'b', 'token.revoke', 'token', 'denied', '{"x":1}')`);
    await db.destroy();

    const catalog = await openCatalog({ kind: 'sqlite', file });
    try {
      assert.equal(await catalog.latestVersion(), 2);
      assert.deepEqual(
        (await catalog.changesSince(0, 10)).map((c) => [c.version, c.entity]),
        [
          [1, 'token'],
          [2, 'database'],
        ],
      );
      const user = await catalog.createUser(
        {
          subject: 's',
          role: 'admin',
          source: 'manual',
          email: null,
          displayName: null,
          disabled: false,
          createdAt: 1,
        },
        audit({ targetKind: 'user' }),
      );
      assert.deepEqual(await catalog.changesSince(2, 10), [{ version: 3, entity: 'user', entityId: user.id }]);
      // The audit rows from before the chain are chained in id order, ahead of the new ones.
      const report = await catalog.verifyAudit();
      assert.equal(report.ok, true, JSON.stringify(report.problem));
      assert.equal(report.checked, 3);
      const chained = (await catalog.listAudit({ limit: 10 })).reverse();
      assert.deepEqual(
        chained.map((r) => [r.seq, r.action]),
        [
          [1, 'token.create'],
          [2, 'token.revoke'],
          [3, 'test.action'],
        ],
      );
    } finally {
      await catalog.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
