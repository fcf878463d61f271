import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { WalSync } from '../../../src/catalog/sqlite/wal-sync.ts';

describe('WalSync: a commit is synced off the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-wal-sync-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs one statement as the catalog's driver does: noted before it runs, settled after. */
  function runner(database: Database.Database, sync: WalSync) {
    return (sql: string) => {
      const statement = database.prepare(sql);
      sync.noteStatement(statement);
      if (statement.reader) statement.all();
      else statement.run();
      return sync.settle();
    };
  }

  test('syncs the log once a write has committed, not for reads nor inside a transaction', async () => {
    // Without WAL mode there is no log file, so every sync this attempts fails and shows itself.
    const file = join(dir, 'rollback-journal.sqlite');
    const database = new Database(file);
    const sync = new WalSync(database, file);
    const run = runner(database, sync);
    const later = new WalSync(database, file);
    const runLater = runner(database, later);
    try {
      await run('select 1');
      await run('create table t (x integer)').then(
        () => assert.fail('a committed write must sync the log'),
        (error: NodeJS.ErrnoException) => assert.equal(error.code, 'ENOENT'),
      );
      // A failed sync is tried again by the next statement that settles.
      await assert.rejects(run('select count(*) from t'), { code: 'ENOENT' });
      await runLater('select count(*) from t');
      await runLater('begin immediate');
      await runLater('insert into t values (1)');
      await runLater('insert into t values (2)');
      await assert.rejects(runLater('commit'), { code: 'ENOENT' }, 'the commit syncs what the transaction wrote');
    } finally {
      await sync.close();
      await later.close();
      database.close();
    }
  });

  test('in WAL mode the commit resolves once the log is synced, and the data is there', async () => {
    const file = join(dir, 'wal.sqlite');
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    const sync = new WalSync(database, file);
    const run = runner(database, sync);
    try {
      await run('create table t (x integer)');
      await run('begin immediate');
      await run('insert into t values (42)');
      await run('commit');
      const reader = new Database(file, { readonly: true });
      assert.deepEqual(reader.prepare('select x from t').all(), [{ x: 42 }]);
      reader.close();
    } finally {
      await sync.close();
      database.close();
    }
  });

  test('an in-memory database has nothing to sync', async () => {
    const database = new Database(':memory:');
    const sync = new WalSync(database, undefined);
    try {
      await runner(database, sync)('create table t (x integer)');
    } finally {
      await sync.close();
      database.close();
    }
  });
});
