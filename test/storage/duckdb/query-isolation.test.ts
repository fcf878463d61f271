import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { database, line, openStorage, rejectsWith } from './helpers.ts';

/**
 * Each statement must be refused before it reaches the engine, and nothing may change or leak:
 * the other database's rows stay invisible, no file appears, the tables keep their rows.
 */
describe('DuckDbStorage query isolation', () => {
  let env: ReturnType<typeof openStorage>;
  const db = database(1);
  const other = database(2);
  let otherFile = '';
  let scratch = '';

  before(async () => {
    env = openStorage();
    scratch = path.join(env.dir, 'scratch');
    otherFile = env.storage.databaseFile(2);
    await env.storage.write(
      db,
      [line(1, 'cpu', { host: 'a' }, { usage: 1 }), line(2, 'cpu', { host: 'b' }, { usage: 2 })],
      0n,
    );
    await env.storage.write(other, [line(1, 'cpu', { host: 'secret' }, { usage: 99 })], 0n);
  });
  after(async () => {
    await env.cleanup();
  });

  const cases: Array<[sql: () => string, code: 'QUERY_REJECTED' | 'QUERY_FAILED', message: string]> = [
    // Another database, by name and by file.
    [() => 'SELECT * FROM db2.cpu', 'QUERY_REJECTED', "table 'db2.cpu' is outside this database"],
    [() => 'SELECT * FROM "2".cpu', 'QUERY_REJECTED', "table '2.cpu' is outside this database"],
    [() => 'SELECT * FROM "2".main.cpu', 'QUERY_REJECTED', "table '2.main.cpu' is outside this database"],
    [() => `SELECT * FROM '${otherFile}'`, 'QUERY_REJECTED', 'reading files is not allowed'],
    [
      () => `SELECT * FROM read_duckdb('${otherFile}')`,
      'QUERY_REJECTED',
      "table function 'read_duckdb' is not allowed",
    ],
    [() => `ATTACH '${otherFile}' AS other`, 'QUERY_REJECTED', 'only SELECT statements are allowed, not ATTACH'],
    [() => 'DETACH other', 'QUERY_REJECTED', 'not DETACH'],
    [() => 'USE other', 'QUERY_REJECTED', 'not USE'],
    [() => 'SELECT * FROM temp.main.cpu', 'QUERY_REJECTED', "table 'temp.main.cpu' is outside this database"],
    // Files.
    [() => "SELECT * FROM read_csv('/etc/passwd')", 'QUERY_REJECTED', "table function 'read_csv' is not allowed"],
    [() => "SELECT * FROM read_parquet('/tmp/x.parquet')", 'QUERY_REJECTED', "table function 'read_parquet'"],
    [() => "SELECT * FROM glob('/*')", 'QUERY_REJECTED', "table function 'glob' is not allowed"],
    [() => "SELECT glob('/*')", 'QUERY_REJECTED', "function 'glob' is not allowed"],
    [
      () => "SELECT * FROM '/etc/passwd'",
      'QUERY_REJECTED',
      "reading files is not allowed ('/etc/passwd' is not a table)",
    ],
    [() => "SELECT * FROM 'https://example.com/data.csv'", 'QUERY_REJECTED', 'reading files is not allowed'],
    [() => `COPY cpu TO '${scratch}.csv'`, 'QUERY_REJECTED', 'only SELECT statements are allowed, not COPY'],
    [() => `COPY (SELECT * FROM cpu) TO '${scratch}.parquet'`, 'QUERY_REJECTED', 'not COPY'],
    [() => `ATTACH '${scratch}.duckdb'`, 'QUERY_REJECTED', 'not ATTACH'],
    [() => `EXPORT DATABASE '${scratch}-export'`, 'QUERY_REJECTED', 'not EXPORT'],
    [() => `IMPORT DATABASE '${scratch}-export'`, 'QUERY_REJECTED', 'not IMPORT'],
    // Extensions, settings, introspection.
    [() => 'INSTALL httpfs', 'QUERY_REJECTED', 'not INSTALL'],
    [() => 'LOAD json', 'QUERY_REJECTED', 'not LOAD'],
    [() => 'SET threads = 1', 'QUERY_REJECTED', 'not SET'],
    [() => 'SET VARIABLE x = 1', 'QUERY_REJECTED', 'not SET'],
    [() => 'RESET threads', 'QUERY_REJECTED', 'not RESET'],
    [() => 'PRAGMA database_list', 'QUERY_REJECTED', 'not PRAGMA'],
    [() => 'CALL pragma_version()', 'QUERY_REJECTED', 'not CALL'],
    [() => 'SELECT * FROM pragma_version()', 'QUERY_REJECTED', "table function 'pragma_version' is not allowed"],
    [() => 'SELECT * FROM duckdb_settings()', 'QUERY_REJECTED', "table function 'duckdb_settings' is not allowed"],
    [() => 'SELECT * FROM duckdb_databases()', 'QUERY_REJECTED', "table function 'duckdb_databases' is not allowed"],
    [() => "SELECT current_setting('threads')", 'QUERY_REJECTED', "function 'current_setting' is not allowed"],
    [() => "SELECT main.current_setting('threads')", 'QUERY_REJECTED', "function 'current_setting' is not allowed"],
    [() => 'SELECT system.main.abs(1)', 'QUERY_REJECTED', "function 'system.main.abs' is not allowed"],
    [() => "SELECT getenv('HOME')", 'QUERY_REJECTED', "function 'getenv' is not allowed"],
    [() => 'SELECT current_database()', 'QUERY_REJECTED', "function 'current_database' is not allowed"],
    [() => 'SELECT current_catalog', 'QUERY_REJECTED', "function 'current_catalog' is not allowed"],
    [() => 'SELECT current_user', 'QUERY_REJECTED', "function 'current_user' is not allowed"],
    [() => 'SELECT version()', 'QUERY_REJECTED', "function 'version' is not allowed"],
    [() => "SELECT getvariable('x')", 'QUERY_REJECTED', "function 'getvariable' is not allowed"],
    [() => "SELECT nextval('s')", 'QUERY_REJECTED', "function 'nextval' is not allowed"],
    [() => "SELECT json_serialize_sql('SELECT 1')", 'QUERY_REJECTED', "function 'json_serialize_sql' is not allowed"],
    [() => "SELECT list_aggregate([1], 'min')", 'QUERY_REJECTED', "function 'list_aggregate' is not allowed"],
    [() => "SELECT * FROM query('SELECT 1')", 'QUERY_REJECTED', "table function 'query' is not allowed"],
    [() => "SELECT * FROM query_table('cpu')", 'QUERY_REJECTED', "table function 'query_table' is not allowed"],
    [() => 'SELECT * FROM cpu, unnest([1])', 'QUERY_REJECTED', "table function 'unnest' is not allowed"],
    [() => 'SELECT * FROM range(3)', 'QUERY_REJECTED', "table function 'range' is not allowed"],
    [() => 'SELECT * FROM information_schema.tables', 'QUERY_REJECTED', "table 'information_schema.tables' is outside"],
    [() => 'SELECT * FROM pg_catalog.pg_tables', 'QUERY_REJECTED', "table 'pg_catalog.pg_tables' is outside"],
    [() => 'SELECT * FROM duckdb_tables', 'QUERY_FAILED', "table 'duckdb_tables' does not exist"],
    [() => 'SELECT * FROM pg_tables', 'QUERY_FAILED', "table 'pg_tables' does not exist"],
    [() => 'SELECT * FROM sqlite_master', 'QUERY_FAILED', "table 'sqlite_master' does not exist"],
    [() => 'DESCRIBE cpu', 'QUERY_REJECTED', 'not DESCRIBE'],
    [() => 'SHOW TABLES', 'QUERY_REJECTED', 'not SHOW'],
    [() => 'SUMMARIZE cpu', 'QUERY_REJECTED', 'not SUMMARIZE'],
    [() => 'SELECT * FROM (DESCRIBE cpu)', 'QUERY_REJECTED', 'SHOW, DESCRIBE and SUMMARIZE are not allowed'],
    [() => 'SELECT * FROM (SHOW ALL TABLES)', 'QUERY_REJECTED', 'SHOW, DESCRIBE and SUMMARIZE are not allowed'],
    [() => 'EXPLAIN SELECT 1', 'QUERY_REJECTED', 'not EXPLAIN'],
    [() => 'SELECT 1::otherdb.main.mytype', 'QUERY_REJECTED', "type 'otherdb.main.mytype' is outside this database"],
    // Writes and DDL.
    [
      () => "INSERT INTO cpu VALUES (now(), 'x', 1)",
      'QUERY_REJECTED',
      'only SELECT statements are allowed, not INSERT',
    ],
    [() => 'UPDATE cpu SET usage = 0', 'QUERY_REJECTED', 'not UPDATE'],
    [() => 'DELETE FROM cpu', 'QUERY_REJECTED', 'not DELETE'],
    [() => 'WITH x AS (SELECT 1) DELETE FROM cpu', 'QUERY_REJECTED', 'not DELETE'],
    [() => 'DROP TABLE cpu', 'QUERY_REJECTED', 'not DROP'],
    [() => 'CREATE TABLE x (a INT)', 'QUERY_REJECTED', 'not CREATE'],
    [() => 'CREATE TABLE x AS SELECT * FROM cpu', 'QUERY_REJECTED', 'not CREATE'],
    [() => 'CREATE OR REPLACE TEMP MACRO now() AS 1', 'QUERY_REJECTED', 'not CREATE'],
    [() => 'ALTER TABLE cpu ADD COLUMN x INT', 'QUERY_REJECTED', 'not ALTER'],
    [() => 'CHECKPOINT', 'QUERY_REJECTED', 'not CHECKPOINT'],
    [() => 'VACUUM', 'QUERY_REJECTED', 'not VACUUM'],
    [() => 'PIVOT cpu ON host USING sum(usage)', 'QUERY_REJECTED', 'not PIVOT'],
    [() => 'SELECT 1; DROP TABLE cpu', 'QUERY_REJECTED', 'exactly one statement is allowed, found 2'],
    [() => 'SELECT 1; SELECT 2', 'QUERY_REJECTED', 'exactly one statement is allowed, found 2'],
    [() => ' -- nothing ', 'QUERY_REJECTED', 'exactly one statement is allowed, found 0'],
    // Smuggling through CTEs, subqueries, lateral joins, set operations.
    [
      () => "WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x",
      'QUERY_REJECTED',
      "table function 'read_csv' is not allowed",
    ],
    [
      () => "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t, glob('/*')) SELECT * FROM t",
      'QUERY_REJECTED',
      "table function 'glob' is not allowed",
    ],
    [() => 'WITH "/etc/passwd" AS (SELECT 1) SELECT * FROM \'/etc/passwd\' x, "2".cpu', 'QUERY_REJECTED', 'outside'],
    [
      () => "SELECT * FROM cpu WHERE host = (SELECT content FROM read_text('/etc/passwd'))",
      'QUERY_REJECTED',
      "table function 'read_text' is not allowed",
    ],
    [
      () => 'SELECT * FROM cpu WHERE usage IN (SELECT usage FROM db2.cpu)',
      'QUERY_REJECTED',
      "table 'db2.cpu' is outside this database",
    ],
    [
      () => 'SELECT * FROM cpu WHERE EXISTS (SELECT 1 FROM information_schema.columns)',
      'QUERY_REJECTED',
      'outside this database',
    ],
    [() => 'SELECT * FROM cpu, LATERAL (SELECT * FROM db2.cpu)', 'QUERY_REJECTED', "table 'db2.cpu' is outside"],
    [
      () => "SELECT * FROM cpu c, LATERAL (SELECT current_setting('threads') AS t)",
      'QUERY_REJECTED',
      "function 'current_setting' is not allowed",
    ],
    [() => 'SELECT host FROM cpu UNION ALL SELECT host FROM db2.cpu', 'QUERY_REJECTED', 'outside this database'],
    [
      () => "SELECT list_transform([1], lambda x: current_setting('threads'))",
      'QUERY_REJECTED',
      "function 'current_setting' is not allowed",
    ],
    [
      () => "SELECT count(*) FILTER (WHERE getenv('HOME') IS NULL) OVER (ORDER BY time) FROM cpu",
      'QUERY_REJECTED',
      "function 'getenv' is not allowed",
    ],
  ];

  for (const [sql, code, message] of cases) {
    it(`refuses ${sql()}`, async () => {
      await rejectsWith(env.storage.query(db, sql()), code, message);
    });
  }

  it('refuses the table recording how far the write-ahead log is applied', async () => {
    await assert.rejects(
      env.storage.query(db, 'SELECT * FROM fluxgate_internal.wal_applied'),
      (error: Error & { code?: string }) => ['QUERY_REJECTED', 'QUERY_FAILED'].includes(error.code ?? ''),
    );
  });

  it('changed nothing and leaked nothing', async () => {
    assert.deepEqual((await env.storage.query(db, 'SELECT host, usage FROM cpu ORDER BY host')).rows, [
      ['a', 1],
      ['b', 2],
    ]);
    assert.deepEqual((await env.storage.query(other, 'SELECT host, usage FROM cpu')).rows, [['secret', 99]]);
    await rejectsWith(env.storage.query(db, 'SELECT * FROM x'), 'QUERY_FAILED', "table 'x' does not exist");
    assert.deepEqual(fs.readdirSync(env.dir), ['dbs']);
    assert.deepEqual(
      // Besides each database's file: DuckDB's WAL, and fluxgate's write-ahead log directory.
      fs
        .readdirSync(path.join(env.dir, 'dbs'))
        .filter((file) => !file.endsWith('.wal') && !file.endsWith('.points-wal')),
      ['1.duckdb', '2.duckdb'],
    );
  });

  it('still allows a column that shares its name with a keyword function', async () => {
    const db3 = database(3);
    await env.storage.write(db3, [line(1, 'logins', { user: 'alice' }, { n: 1 })], 0n);
    assert.deepEqual((await env.storage.query(db3, 'SELECT user, n FROM logins')).rows, [['alice', 1]]);
  });
});
