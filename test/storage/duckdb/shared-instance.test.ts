import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isFluxgateError } from '../../../src/domain/errors.ts';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { type SandboxedDatabase, SharedInstance } from '../../../src/storage/duckdb/sandboxed-instance.ts';
import type { StorageDatabase } from '../../../src/storage/storage.ts';
import { database, line, rejectsWith, tempDir } from './helpers.ts';

/**
 * The layers under the validator when databases share one DuckDB instance: SQL that got past the
 * validator, prepared on one database's query connection, still cannot read another database's
 * tables, the engine's own schema, the instance's catalogs or any file.
 */
describe('SharedInstance', () => {
  let dir = '';
  let shared: SharedInstance;
  let a: SandboxedDatabase;
  let b: SandboxedDatabase;
  let writerA: DuckDBConnection;
  let writerB: DuckDBConnection;
  let queryA: DuckDBConnection;

  before(async () => {
    dir = tempDir();
    shared = await SharedInstance.open(dir, { threads: 1, memoryLimit: '64MB' });
    a = await shared.attach(path.join(dir, '1.duckdb'));
    b = await shared.attach(path.join(dir, '2.duckdb'));
    writerA = await a.connect();
    writerB = await b.connect();
    await writerA.run('CREATE TABLE cpu (time TIMESTAMP_NS, v DOUBLE); INSERT INTO cpu VALUES (NULL, 1)');
    await writerA.run('CREATE SCHEMA fluxgate_internal; CREATE TABLE fluxgate_internal.wal_applied (seq BIGINT)');
    await writerB.run('CREATE TABLE cpu (time TIMESTAMP_NS, v DOUBLE); INSERT INTO cpu VALUES (NULL, 2), (NULL, 3)');
    await writerB.run('CREATE TABLE secret (s VARCHAR)');
    queryA = await a.connectForQueries();
  });
  after(async () => {
    queryA.closeSync();
    writerA.closeSync();
    writerB.closeSync();
    await a.close();
    await b.close();
    shared.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function rows(sql: string, values?: Record<string, string | number>): Promise<unknown[][]> {
    const prepared = await queryA.prepare(sql);
    if (values)
      for (const [name, value] of Object.entries(values)) prepared.bindValue(prepared.parameterIndex(name), value);
    return (await prepared.runAndReadAll()).getRows();
  }

  it("gives each database's connections its own tables under unqualified names", async () => {
    assert.deepEqual(await rows('SELECT v FROM cpu'), [[1]]);
    assert.deepEqual(await rows('SELECT v FROM main.cpu WHERE v = $v', { v: 1 }), [[1]]);
    const other = await writerB.runAndReadAll('SELECT sum(v) FROM cpu');
    assert.deepEqual(other.getRows(), [[5]]);
  });

  it('checks a statement with parameters by its plan too', async () => {
    assert.deepEqual(await rows('SELECT $x AS x, count(*) AS n FROM cpu WHERE v >= $min', { x: 'a', min: 0 }), [
      ['a', 1n],
    ]);
  });

  const catalogOf = async (database: DuckDBConnection) =>
    String((await database.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);

  it("refuses another database's tables however they are named", async () => {
    const other = await catalogOf(writerB);
    for (const sql of [
      `SELECT * FROM ${other}.main.cpu`,
      `SELECT * FROM ${other}.cpu`,
      `SELECT * FROM ${other}.secret`,
      `SELECT * FROM cpu UNION ALL SELECT * FROM ${other}.cpu`,
      `SELECT (SELECT max(v) FROM ${other}.cpu)`,
      `WITH x AS (SELECT * FROM ${other}.cpu) SELECT * FROM x`,
      `SELECT * FROM cpu WHERE v IN (SELECT v FROM ${other}.main.cpu)`,
      `SELECT * FROM query('SELECT * FROM ${other}.cpu')`,
      `SELECT * FROM query_table('${other}.main.cpu')`,
    ]) {
      await assert.rejects(
        rows(sql),
        (error: unknown) => isFluxgateError(error) && /may read only its own database/.test(error.message),
        sql,
      );
    }
  });

  it("names no other database's table in an error", async () => {
    const other = await catalogOf(writerB);
    await assert.rejects(rows('SELECT * FROM memory.main.secret'), (error: Error) => !error.message.includes(other));
    await assert.rejects(rows('SELECT * FROM secret'), (error: Error) => !error.message.includes(other));
  });

  it("refuses the engine's own schema, the instance's catalogs and table functions", async () => {
    for (const sql of [
      'SELECT * FROM fluxgate_internal.wal_applied',
      'SELECT * FROM memory.main.cpu',
      'SELECT * FROM duckdb_databases()',
      'SELECT * FROM duckdb_tables()',
      'SELECT * FROM information_schema.tables',
      'SELECT * FROM range(3)',
    ]) {
      await assert.rejects(rows(sql), (error: unknown) => isFluxgateError(error), sql);
    }
  });

  it("refuses files, the other database's file included, and any statement but a query", async () => {
    const otherFile = path.join(dir, '2.duckdb');
    for (const sql of [
      `SELECT * FROM read_blob('${otherFile}')`,
      `SELECT * FROM read_text('${otherFile}')`,
      `SELECT * FROM '${otherFile}'`,
      "SELECT * FROM read_csv('/etc/passwd')",
      `ATTACH '${path.join(dir, '3.duckdb')}' AS other`,
      `DETACH ${await catalogOf(writerB)}`,
      `COPY cpu TO '${path.join(dir, 'x.csv')}'`,
      'INSERT INTO cpu VALUES (NULL, 9)',
      'SET threads = 4',
      'LOAD httpfs',
    ]) {
      await assert.rejects(rows(sql), sql);
    }
    assert.equal(fs.existsSync(path.join(dir, '3.duckdb')), false);
    assert.equal(fs.existsSync(path.join(dir, 'x.csv')), false);
    assert.deepEqual(await rows('SELECT count(*) FROM cpu'), [[1n]]);
  });

  it('runs in UTC with a locked configuration and attaches only files of its directory', async () => {
    const reader = await writerA.runAndReadAll(
      "SELECT current_setting('TimeZone'), current_setting('lock_configuration'), current_setting('enable_external_access')",
    );
    assert.deepEqual(reader.getRows(), [['UTC', true, false]]);
    const outside = tempDir();
    try {
      await assert.rejects(shared.attach(path.join(outside, '9.duckdb')));
      await assert.rejects(writerA.run(`ATTACH '${path.join(outside, '9.duckdb')}' AS escape`));
      assert.deepEqual(fs.readdirSync(outside), []);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('detaches a database: its file can be attached again, with what was written', async () => {
    const c = await shared.attach(path.join(dir, '4.duckdb'));
    const writer = await c.connect();
    await writer.run('CREATE TABLE m (v INTEGER); INSERT INTO m VALUES (7)');
    writer.closeSync();
    await c.close();
    const again = await shared.attach(path.join(dir, '4.duckdb'));
    const reader = await again.connectForQueries();
    try {
      assert.deepEqual((await (await reader.prepare('SELECT v FROM m')).runAndReadAll()).getRows(), [[7]]);
    } finally {
      reader.closeSync();
      await again.close();
    }
  });

  it('reopens a database under a new catalog: what was committed is there, a rolled back append is not', async () => {
    const c = await shared.attach(path.join(dir, '5.duckdb'));
    const writer = await c.connect();
    await writer.run('CREATE TABLE m (v INTEGER); INSERT INTO m VALUES (7)');
    await writer.run('BEGIN TRANSACTION; INSERT INTO m SELECT range FROM range(1000); ROLLBACK');
    const catalog = (await writer.runAndReadAll('SELECT current_database()')).getRows()[0]![0];
    writer.closeSync();
    const again = await c.reopen();
    const reader = await again.connect();
    try {
      assert.deepEqual((await reader.runAndReadAll('SELECT v FROM m')).getRows(), [[7]]);
      const now = (await reader.runAndReadAll('SELECT current_database()')).getRows()[0]![0];
      assert.notEqual(now, catalog, 'attached anew, under a catalog name not used before');
      const old = await reader.runAndReadAll(
        `SELECT count(*) FROM duckdb_databases() WHERE database_name = '${String(catalog)}'`,
      );
      assert.equal(Number(old.getRows()[0]![0]), 0, 'the old catalog is detached');
    } finally {
      reader.closeSync();
      await again.close();
    }
  });
});

describe('DuckDbStorage with the databases attached to one instance, or each in its own', () => {
  for (const sharedInstance of [true, false]) {
    it(`${sharedInstance ? 'shared' : 'own'}: stores, queries and reopens each database apart, and opens no thread per database`, async () => {
      const dir = tempDir();
      const threads = () => fs.readdirSync('/proc/self/task').length;
      let storage = new DuckDbStorage(dir, Number.POSITIVE_INFINITY, { sharedInstance, threads: 2, maxOpen: 8 });
      try {
        const dbs = Array.from({ length: 12 }, (_, index) => database(index + 1));
        const use = async (db: StorageDatabase) => {
          await storage.write(db, [line(1, 'cpu', { host: 'a' }, { usage: db.id })], 0n);
          assert.deepEqual((await storage.query(db, 'SELECT usage FROM cpu')).rows, [[db.id]]);
        };
        // The first database starts what every query needs (the parser, Node's thread pool, the shared instance).
        await use(dbs[0]!);
        const before = threads();
        for (const db of dbs.slice(1)) await use(db);
        assert.equal(storage.openEngines(), 8);
        // An instance of its own runs `threads - 1` background threads: 7 more instances open, 7 more threads.
        const opened = threads() - before;
        if (sharedInstance) assert.ok(opened <= 1, `${opened} threads more`);
        else assert.ok(opened >= 7, `${opened} threads more`);
        await storage.close();
        storage = new DuckDbStorage(dir, Number.POSITIVE_INFINITY, { sharedInstance });
        for (const db of dbs) assert.deepEqual((await storage.query(db, 'SELECT usage FROM cpu')).rows, [[db.id]]);
        await rejectsWith(storage.query(dbs[0]!, 'SELECT * FROM fluxgate_db_2.main.cpu'), 'QUERY_REJECTED', '');
      } finally {
        await storage.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
