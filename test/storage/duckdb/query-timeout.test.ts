import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
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
