import assert from 'node:assert/strict';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, useStorage, writeLines } from './harness.ts';

/** One row per series (measurement and tag set) and time: a later point replaces the fields it names. */
export function lastWriteWinsContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  storage.test(
    'a later write of the same series and time keeps one row: its fields replace, the others are kept',
    async () => {
      const db = freshDatabase();
      await writeLines(storage.current(), db, 'm,host=a x=1,y=1 10');
      await writeLines(storage.current(), db, 'm,host=a y=2,z=2 10');
      assert.deepEqual(await storage.rows(db, 'SELECT host, x, y, z FROM m'), [['a', 1, 2, 2]]);
    },
  );

  storage.test('within one batch the later line wins, field by field', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a x=1,y=1 10\nm,host=a y=2 10\nm,host=a x=3 10');
    assert.deepEqual(
      await storage.rows(db, {
        sql: 'SELECT count(*) AS n, max(x), max(y) FROM m',
        // InfluxQL counts a field's values, not rows: x is in every row there is.
        influxql: 'SELECT count(x) AS n, max(x), max(y) FROM m',
      }),
      [[1, 3, 2]],
    );
  });

  storage.test('a point repeated a thousand times over stored rows folds into one row, field by field', async () => {
    // Timestamps rounded to one value (or a client retrying) repeat a point; once, each repeat cost a
    // pass over the stored table, and a query waiting for the apply took seconds.
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a keep=7,x=0 10\nm,host=b keep=8 10');
    const repeats = Array.from({ length: 1000 }, (_, i) => `m,host=a ${i % 2 === 0 ? 'x' : 'y'}=${i} 10`);
    await Promise.all([
      writeLines(storage.current(), db, repeats.join('\n')),
      writeLines(storage.current(), db, 'm,host=b x=1 10\nm,host=b x=2 10'),
    ]);
    assert.deepEqual(
      await storage.rows(db, {
        sql: 'SELECT host, keep, x, y FROM m ORDER BY host',
        influxql: 'SELECT host, keep, x, y FROM m GROUP BY host',
      }),
      [
        ['a', 7, 998, 999],
        ['b', 8, 2, null],
      ],
    );
  });

  storage.test('another time, another tag value or another tag set is another row', async () => {
    const db = freshDatabase();
    await writeLines(
      storage.current(),
      db,
      ['m,host=a v=1 10', 'm,host=a v=2 11', 'm,host=b v=3 10', 'm,host=a,region=eu v=4 10', 'm v=5 10'].join('\n'),
    );
    assert.deepEqual(
      await storage.rows(db, {
        sql: 'SELECT host, region, v FROM m ORDER BY v',
        influxql: 'SELECT host, region, v FROM m',
        influxqlSortedBy: 2,
      }),
      [
        ['a', null, 1],
        ['a', null, 2],
        ['b', null, 3],
        ['a', 'eu', 4],
        [null, null, 5],
      ],
    );
  });

  storage.test('tags written in another order name the same series', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,a=1,b=2 v=1,w=1 10');
    await writeLines(storage.current(), db, 'm,b=2,a=1 v=2 10');
    assert.deepEqual(await storage.rows(db, 'SELECT a, b, v, w FROM m'), [['1', '2', 2, 1]]);
  });

  storage.test('the same series and time written again after a restart still gives one row', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a x=1,y=1 10');
    await storage.reopen();
    await writeLines(storage.current(), db, 'm,host=a x=5 10');
    assert.deepEqual(await storage.rows(db, 'SELECT host, x, y FROM m'), [['a', 5, 1]]);
  });
}
