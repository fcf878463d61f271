import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { openStatement, withTimeout } from '../../../src/storage/duckdb/query-runner.ts';
import { database, line, tempDir } from './helpers.ts';

const RUNAWAY =
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000000000) SELECT count(*) FROM r';

test('a query running past the timeout is interrupted with a clear error, and the engine keeps answering', async () => {
  const dir = tempDir();
  const storage = new DuckDbStorage(dir, 300);
  try {
    const db = database(1);
    await storage.write(db, [line(1, 'cpu', { host: 'a' }, { usage: 1 })], 0n);
    const started = Date.now();
    await assert.rejects(storage.query(db, RUNAWAY), (error: unknown) => {
      assert.ok(error instanceof FluxgateError);
      assert.equal(error.code, 'QUERY_FAILED');
      assert.match(error.message, /ran longer than 0.3 s and was stopped/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'interrupted promptly');
    const after = await storage.query(db, 'SELECT count(*) AS n FROM cpu');
    assert.deepEqual(after.rows, [[1]]);
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a timeout that fires while the statement is still being prepared stops it all the same', async () => {
  // DuckDB forgets an interrupt that arrives before a statement executes; the soak bench once met a
  // recursive CTE that then ran on for good, holding a connection and the request that sent it.
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  try {
    for (let i = 0; i < 60; i++) {
      const connection = await instance.connect();
      const deadline = withTimeout(undefined, i % 6);
      const settled = (async () => {
        const statement = await openStatement(connection, RUNAWAY, {}, deadline.signal);
        try {
          return await statement.next();
        } finally {
          await statement.close();
        }
      })().then(
        () => 'answered',
        (error: unknown) => (error instanceof FluxgateError ? error.code : String(error)),
      );
      let watchdog: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        settled,
        new Promise<string>((resolve) => (watchdog = setTimeout(() => resolve('still running after 5 s'), 5000))),
      ]);
      clearTimeout(watchdog);
      deadline.dispose();
      if (outcome !== 'QUERY_FAILED') connection.interrupt();
      assert.equal(outcome, 'QUERY_FAILED', `a ${i % 6} ms timeout (round ${i})`);
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
});
