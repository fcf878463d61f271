import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Checkpointer } from '../../../src/catalog/sqlite/checkpointer.ts';
import { openSqliteCatalog } from '../../../src/catalog/sqlite/open-sqlite-catalog.ts';
import { WalSync } from '../../../src/catalog/sqlite/wal-sync.ts';
import { audit, newDatabase } from '../contract/fixtures.ts';

describe('Checkpointer: WAL checkpoints run on a worker thread, not in a commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-checkpointer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A connection as the catalog opens it, with its writes run as the driver runs them. */
  function open(file: string) {
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    const sync = new WalSync(database, file);
    const run = (sql: string) => {
      const statement = database.prepare(sql);
      sync.noteStatement(statement);
      if (statement.reader) statement.all();
      else statement.run();
      return sync.settle();
    };
    return { database, sync, run };
  }

  const walSize = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  /**
   * What this process's descriptors point at that is (or was) the log: WalSync's, and SQLite's own of
   * both connections. A stale one would read `<path> (deleted)`.
   */
  const held = (wal: string) =>
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.startsWith(wal));

  const assertLive = (wal: string) => {
    const targets = held(wal);
    assert.ok(targets.length >= 2, `WalSync's and SQLite's descriptors: ${targets.join(', ')}`);
    assert.ok(
      targets.every((target) => target === wal),
      `every descriptor is the live log: ${targets.join(', ')}`,
    );
  };

  test('the log stays bounded over many commits, though the connection never checkpoints itself', async () => {
    const file = join(dir, 'bounded.sqlite');
    const { database, sync, run } = open(file);
    // A long interval: the test runs each tick itself, so what it asserts does not depend on timing.
    const checkpointer = new Checkpointer(database, file, { intervalMs: 3_600_000 });
    try {
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 0);
      await run('create table t (x blob)');
      const commits = 1000;
      let largest = 0;
      for (let i = 1; i <= commits; i++) {
        await run('insert into t values (randomblob(3000))');
        largest = Math.max(largest, walSize(file));
        if (i % 50 === 0) await checkpointer.checkpointNow();
      }
      const pageSize = Number(database.pragma('page_size', { simple: true }));
      // Every commit appends at least one page: left alone the log would hold them all.
      assert.ok(commits * pageSize > 3 * 1024 * 1024);
      assert.ok(largest < 1024 * 1024, `the log reached ${largest} bytes`);
      assert.equal(checkpointer.error, undefined);
      assert.deepEqual(database.prepare('select count(*) as n from t').get(), { n: commits });
    } finally {
      await checkpointer.close();
      await sync.close();
      database.close();
    }
  });

  test("while the worker checkpoints, the connection's commits sync nothing themselves; it takes its syncs back as the worker stops", async () => {
    const file = join(dir, 'levels.sqlite');
    const { database, sync, run } = open(file);
    const checkpointer = new Checkpointer(database, file, { intervalMs: 3_600_000 });
    try {
      // 0 is OFF: the log's header, synced at NORMAL when a commit starts the log over, is WalSync's to sync.
      assert.equal(database.pragma('synchronous', { simple: true }), 0);
      await run('create table t (x blob)');
      for (let i = 0; i < 20; i++) {
        await run('insert into t values (randomblob(3000))');
        // Each caught-up checkpoint has the next commit start the log over.
        await checkpointer.checkpointNow();
      }
      assert.deepEqual(database.prepare('select count(*) as n from t').get(), { n: 20 });
    } finally {
      await checkpointer.close();
    }
    try {
      // 1 is NORMAL, as the connection was opened: its close checkpoints, and that syncs the database file.
      assert.equal(database.pragma('synchronous', { simple: true }), 1);
    } finally {
      await sync.close();
      database.close();
    }
  });

  test('an idle log is truncated, and WalSync goes on syncing the same file after it', async () => {
    const file = join(dir, 'truncated.sqlite');
    const wal = `${file}-wal`;
    const { database, sync, run } = open(file);
    const checkpointer = new Checkpointer(database, file, { intervalMs: 3_600_000, idleTicks: 1 });
    try {
      await run('create table t (x integer)');
      await run('insert into t values (1)');
      assertLive(wal);
      const inode = statSync(wal).ino;
      const first = await checkpointer.checkpointNow();
      assert.equal(first.checkpointed, first.log);
      // No write since the last tick: the idle log is truncated to nothing, the file itself stays.
      await checkpointer.checkpointNow();
      assert.equal(walSize(file), 0);
      assert.equal(statSync(wal).ino, inode);
      await run('insert into t values (2)');
      assert.ok(walSize(file) > 0, 'the writer starts the log again in the same file');
      assertLive(wal);
      assert.equal(statSync(wal).ino, inode);
      // A restarted log (fully copied back, then rewound by the next writer) is the same file too.
      await checkpointer.checkpointNow();
      await run('insert into t values (3)');
      assertLive(wal);
      assert.equal(statSync(wal).ino, inode);
      const reader = new Database(file, { readonly: true });
      assert.deepEqual(reader.prepare('select x from t order by x').all(), [{ x: 1 }, { x: 2 }, { x: 3 }]);
      reader.close();
    } finally {
      await checkpointer.close();
      await sync.close();
      database.close();
    }
  });

  test('after a checkpoint that caught up the worker rewinds the log, not the next commit', async () => {
    const file = join(dir, 'rewound.sqlite');
    const { database, sync, run } = open(file);
    const checkpointer = new Checkpointer(database, file, { intervalMs: 3_600_000 });
    /** The log header's checkpoint sequence: it moves each time the log is rewound to its start. */
    const sequence = () => readFileSync(`${file}-wal`).readUInt32BE(12);
    try {
      await run('create table t (x integer)');
      for (let round = 1; round <= 3; round++) {
        await run(`insert into t values (${round})`);
        const before = sequence();
        const result = await checkpointer.checkpointNow();
        assert.equal(result.checkpointed, result.log, 'nothing held the checkpoint back');
        const rewound = sequence();
        assert.equal(rewound, before + 1, 'the worker rewound the log right after the checkpoint');
        // The commit after it appends to the rewound log: its connection writes no new header, so it
        // has no header fsync to wait for on the event loop.
        await run(`insert into t values (${round * 10})`);
        assert.equal(sequence(), rewound, "the server's commit did not rewind the log itself");
      }
      assert.equal(checkpointer.error, undefined);
      assert.deepEqual(
        database.prepare('select x from t order by x').all(),
        [1, 2, 3, 10, 20, 30].map((x) => ({ x })),
      );
    } finally {
      await checkpointer.close();
      await sync.close();
      database.close();
    }
  });

  test('a catalog closed cleanly leaves one consistent file: no log, every commit in it', async () => {
    const file = join(dir, 'catalog.sqlite');
    const catalog = await openSqliteCatalog(file);
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      const db = await catalog.createDatabase(newDatabase(), audit({ action: 'database.create' }));
      names.push(db.name);
    }
    await catalog.close();
    assert.equal(existsSync(`${file}-wal`), false, 'the last connection to close copied the log back');
    const reader = new Database(file, { readonly: true });
    try {
      assert.equal(reader.pragma('integrity_check', { simple: true }), 'ok');
      const stored = reader.prepare('select name from databases').all() as { name: string }[];
      assert.deepEqual(
        stored.map((row) => row.name).filter((name) => names.includes(name)),
        names,
      );
    } finally {
      reader.close();
    }
    // Opened again, it reads the same.
    const again = await openSqliteCatalog(file);
    try {
      assert.equal((await again.listDatabases()).length, names.length);
    } finally {
      await again.close();
    }
  });
});
