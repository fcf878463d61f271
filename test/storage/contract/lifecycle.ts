import assert from 'node:assert/strict';
import type { StorageDatabase } from '../../../src/storage/storage.ts';
import type { StorageHarness } from './harness.ts';
import { declaredAbsent, freshDatabase, useStorage, writeLines } from './harness.ts';

const HOUR_MS = 3_600_000;
const HOUR_NS = 3_600_000_000_000n;

/** A database's life on disk: its usage reported, old rows removed by retention, everything removed by a drop. */
export function lifecycleContract(harness: StorageHarness): void {
  const storage = useStorage(harness);
  /** Disk usage 0, or (declared absent) the capability refused as the port says. */
  const assertNoUsage = async (db: StorageDatabase) => {
    if (!(await declaredAbsent(storage.current(), 'diskUsage', () => storage.current().diskUsage(db)))) {
      assert.equal(await storage.current().diskUsage(db), 0);
    }
  };

  storage.test('a database never written uses no disk; a written one reports its bytes', async (t) => {
    const db = freshDatabase();
    if (await declaredAbsent(storage.current(), 'diskUsage', () => storage.current().diskUsage(db))) {
      return t.skip('disk usage is declared absent (and refused as such)');
    }
    await assertNoUsage(db);
    await writeLines(storage.current(), db, 'm,host=a v=1 1');
    const used = await storage.current().diskUsage(db);
    assert.ok(Number.isSafeInteger(used) && used > 0, `reported ${used} bytes`);
    // Asking about a database never written created nothing for it.
    const untouched = freshDatabase();
    await storage.current().schema(untouched);
    await storage.current().query(untouched, 'SELECT 1');
    assert.equal(await storage.current().diskUsage(untouched), 0);
  });

  storage.test('a dropped database loses its data and its disk usage; other databases are untouched', async () => {
    const doomed = freshDatabase();
    const kept = freshDatabase();
    await writeLines(storage.current(), doomed, 'm v=1 1\nn w=2 2');
    await writeLines(storage.current(), kept, 'm v=3 1');
    await storage.current().drop(doomed.id);
    await assertNoUsage(doomed);
    assert.deepEqual(await storage.current().schema(doomed), []);
    await storage.assertNoMeasurement(doomed, 'SELECT v FROM m', 'm');
    assert.deepEqual(await storage.rows(kept, 'SELECT v FROM m'), [[3]]);
    // Dropping again, or a database never written, is harmless.
    await storage.current().drop(doomed.id);
    await storage.current().drop(freshDatabase().id);
  });

  storage.test('a drop stays dropped across a restart, and the id can be written afresh', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm v=1 1');
    await storage.current().drop(db.id);
    await storage.reopen();
    assert.deepEqual(await storage.current().schema(db), []);
    await assertNoUsage(db);
    await writeLines(storage.current(), db, 'm v="now a string" 1');
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM m'), [['now a string']]);
  });

  storage.test('writes queued before a drop finish first; none is lost half-way', async () => {
    const db = freshDatabase();
    const writes = Array.from({ length: 5 }, (_, i) => writeLines(storage.current(), db, `m v=${i} ${i + 1}`));
    const dropped = storage.current().drop(db.id);
    const outcomes = await Promise.all(writes);
    await dropped;
    assert.deepEqual(
      outcomes.map((outcome) => outcome.written),
      [1, 1, 1, 1, 1],
    );
    await assertNoUsage(db);
  });

  storage.test('retention removes rows older than the period in every measurement and returns how many', async (t) => {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const open = freshDatabase();
    if (await declaredAbsent(storage.current(), 'retention', () => storage.current().enforceRetention(open, nowNs))) {
      return t.skip('retention is declared absent (and refused as such)');
    }
    const lines = [
      `cpu v=1 ${nowNs - 5n * HOUR_NS}`,
      `cpu v=2 ${nowNs - 3n * HOUR_NS}`,
      `cpu v=3 ${nowNs - HOUR_NS}`,
      `mem v=4 ${nowNs - 4n * HOUR_NS}`,
      `mem v=5 ${nowNs}`,
    ];
    assert.equal((await writeLines(storage.current(), open, lines.join('\n'))).written, 5);
    assert.equal(await storage.current().enforceRetention(open, nowNs), 0, 'no period, nothing removed');
    const limited = { ...open, limits: { ...open.limits, retentionPeriodMs: 2 * HOUR_MS } };
    assert.equal(await storage.current().enforceRetention(limited, nowNs), 3);
    assert.deepEqual(await storage.rows(limited, 'SELECT v FROM cpu'), [[3]]);
    assert.deepEqual(await storage.rows(limited, 'SELECT v FROM mem'), [[5]]);
    assert.equal(await storage.current().enforceRetention(limited, nowNs), 0);
    const never = freshDatabase({ retentionPeriodMs: HOUR_MS });
    assert.equal(await storage.current().enforceRetention(never, nowNs), 0);
    assert.equal(await storage.current().diskUsage(never), 0);
  });

  storage.test('a write of points older than the retention period refuses them and keeps the rest', async (t) => {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const db = freshDatabase({ retentionPeriodMs: HOUR_MS });
    if (await declaredAbsent(storage.current(), 'retention', () => storage.current().enforceRetention(db, nowNs))) {
      return t.skip('retention is declared absent (and refused as such)');
    }
    const outcome = await writeLines(storage.current(), db, `m v=1 ${nowNs - 2n * HOUR_NS}\nm v=2 ${nowNs}`);
    assert.equal(outcome.written, 1);
    assert.deepEqual(
      outcome.rejected.map((error) => error.lineNumber),
      [1],
    );
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM m'), [[2]]);
  });

  storage.test('closing the storage stops a running query, and closing twice is harmless', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm v=1 1');
    const running = storage
      .current()
      .query(
        db,
        'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000000000) SELECT count(*) FROM r',
      );
    const outcome = running.then(
      () => 'finished',
      () => 'stopped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = storage.current();
    await storage.reopen();
    assert.equal(await outcome, 'stopped');
    await closed.close();
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM m'), [[1]]);
  });
}
