import assert from 'node:assert/strict';
import type { Point } from '../../../src/storage/lineprotocol/types.ts';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, useStorage, writeLines } from './harness.ts';

/** What an acknowledged write promises: it is seen by every query after it, and it outlives a restart, once. */
export function durableWritesContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  /** One point `measurement v=value 5`, written with noSync; it must be acknowledged as written. */
  const writeOneNoSync = async (db: ReturnType<typeof freshDatabase>, measurement: string, value: number) => {
    const point: Point = { measurement, tags: [], fields: [['v', { type: 'float', value }]], timestampNs: 5n };
    const outcome = await storage.current().write(db, [{ lineNumber: 1, point }], 0n, { noSync: true });
    assert.equal(outcome.written, 1);
  };

  storage.test(
    'a query right after each acknowledgement sees every acknowledged point (read your writes)',
    async () => {
      const db = freshDatabase();
      const writes = Array.from({ length: 24 }, (_, i) =>
        writeLines(storage.current(), db, `m,w=w${i % 3} n=${i}i ${1000 + i}`).then(async (outcome) => {
          assert.equal(outcome.written, 1);
          // This write and every one acknowledged before it must be counted.
          const [[count, has]] = (await storage.rows(db, {
            sql: `SELECT count(*), count(*) FILTER (WHERE n = ${i}) FROM m`,
            influxql: ['SELECT count(n) FROM m', `SELECT count(n) FROM m WHERE n = ${i}`],
          })) as [[number, number]];
          assert.equal(has, 1, `write ${i} is seen by a query after its acknowledgement`);
          return count;
        }),
      );
      const counts = await Promise.all(writes);
      assert.ok(counts.every((count) => count >= 1 && count <= 24));
      assert.deepEqual(
        await storage.rows(db, { sql: 'SELECT count(*), sum(n) FROM m', influxql: 'SELECT count(n), sum(n) FROM m' }),
        [[24, (23 * 24) / 2]],
      );
    },
  );

  storage.test('the schema right after a write names what it created', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'fresh,t=a f=1 1');
    assert.deepEqual(await storage.current().schema(db), [
      { name: 'fresh', tags: ['t'], fields: [{ name: 'f', type: 'float' }] },
    ]);
  });

  storage.test('a no-sync write is seen by the next query too', async () => {
    const db = freshDatabase();
    await writeOneNoSync(db, 'm', 1.5);
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM m'), [[1.5]]);
  });

  storage.test('the schema right after a no-sync write names what it created', async () => {
    // A gateway validates the next query against this schema; it once lagged a no_sync write.
    const db = freshDatabase();
    await writeOneNoSync(db, 'quick', 1);
    assert.deepEqual(await storage.current().schema(db), [
      { name: 'quick', tags: [], fields: [{ name: 'v', type: 'float' }] },
    ]);
  });

  storage.test(
    'acknowledged writes, applied or not, are there exactly once after a restart, and writes go on',
    async () => {
      const db = freshDatabase();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          writeLines(
            storage.current(),
            db,
            Array.from({ length: 50 }, (_, j) => `m,s=s${j % 5} v=${i * 50 + j}i ${i * 50 + j}`).join('\n'),
          ),
        ),
      );
      assert.ok(outcomes.every((outcome) => outcome.written === 50));
      // The same points again (a client's retry): last write wins keeps one row each.
      await writeLines(storage.current(), db, 'm,s=s0 v=0i 0\nm,s=s1 v=1i 1');
      await storage.reopen();
      assert.deepEqual(
        await storage.rows(db, {
          sql: 'SELECT count(*), count(DISTINCT v), sum(v) FROM m',
          influxql: 'SELECT count(v), count(distinct(v)), sum(v) FROM m',
        }),
        [[500, 500, (499 * 500) / 2]],
      );
      await writeLines(storage.current(), db, 'm,s=s9 v=1000i 1000');
      await storage.reopen();
      assert.deepEqual(await storage.rows(db, { sql: 'SELECT count(*) FROM m', influxql: 'SELECT count(v) FROM m' }), [
        [501],
      ]);
    },
  );
}
