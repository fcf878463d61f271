import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { database, line, openStorage, rejectsWith } from './helpers.ts';

const HOUR_MS = 3_600_000;
const HOUR_NS = 3_600_000_000_000n;

describe('DuckDbStorage retention, drop and close', () => {
  let env: ReturnType<typeof openStorage>;
  beforeEach(() => {
    env = openStorage();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('deletes rows older than the retention period in every table and returns the count', async () => {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const open = database(1);
    await env.storage.write(
      open,
      [
        line(1, 'cpu', {}, { v: 1 }, nowNs - 5n * HOUR_NS),
        line(2, 'cpu', {}, { v: 2 }, nowNs - 3n * HOUR_NS),
        line(3, 'cpu', {}, { v: 3 }, nowNs - HOUR_NS),
        line(4, 'mem', {}, { v: 4 }, nowNs - 4n * HOUR_NS),
        line(5, 'mem', {}, { v: 5 }, nowNs),
      ],
      0n,
    );
    const limited = database(1, { retentionPeriodMs: 2 * HOUR_MS });
    assert.equal(await env.storage.enforceRetention(limited, nowNs), 3);
    assert.deepEqual((await env.storage.query(limited, 'SELECT v FROM cpu')).rows, [[3]]);
    assert.deepEqual((await env.storage.query(limited, 'SELECT v FROM mem')).rows, [[5]]);
    assert.equal(await env.storage.enforceRetention(limited, nowNs), 0);
    assert.equal(await env.storage.enforceRetention(open, nowNs), 0);
  });

  it('does not create a database file to enforce retention on a database never written', async () => {
    assert.equal(await env.storage.enforceRetention(database(7, { retentionPeriodMs: HOUR_MS }), 0n), 0);
    assert.equal(fs.existsSync(env.storage.databaseFile(7)), false);
  });

  it('drops a database: closes its engine and deletes its files, leaving others alone', async () => {
    await env.storage.write(database(1), [line(1, 'cpu', {}, { v: 1 })], 0n);
    await env.storage.write(database(2), [line(1, 'cpu', {}, { v: 2 })], 0n);
    const file = env.storage.databaseFile(1);
    assert.ok(fs.existsSync(file));
    await env.storage.drop(1);
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith('1.')),
      [],
    );
    assert.deepEqual((await env.storage.query(database(2), 'SELECT v FROM cpu')).rows, [[2]]);
    // The id starts afresh if used again.
    await rejectsWith(
      env.storage.query(database(1), 'SELECT * FROM cpu'),
      'QUERY_FAILED',
      "table 'cpu' does not exist",
    );
    await env.storage.drop(1);
    await env.storage.drop(99);
  });

  it('lets queued writes finish before a drop closes the engine', async () => {
    const db = database(3);
    const writes = Array.from({ length: 5 }, (_, index) => env.storage.write(db, [line(1, 'm', {}, { v: index })], 0n));
    const dropped = env.storage.drop(3);
    const outcomes = await Promise.all(writes);
    await dropped;
    assert.deepEqual(
      outcomes.map((outcome) => outcome.written),
      [1, 1, 1, 1, 1],
    );
    assert.equal(fs.existsSync(env.storage.databaseFile(3)), false);
  });

  it('closes everything and can be closed twice', async () => {
    await env.storage.write(database(1), [line(1, 'cpu', {}, { v: 1 })], 0n);
    await env.storage.query(database(1), 'SELECT 1');
    await env.storage.toParquet({ columns: [{ name: 'a', sqlType: 'INTEGER' }], rows: [[1]] });
    await env.storage.close();
    await env.storage.close();
  });
});
