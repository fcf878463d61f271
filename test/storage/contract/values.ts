import assert from 'node:assert/strict';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, useStorage, writeLines } from './harness.ts';

/** Writes read back: every field type, tags, times and missing fields, as the port's JSON-safe values. */
export function valuesContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  storage.test(
    'every field type reads back as written, with tags as strings and time as RFC3339 nanoseconds',
    async () => {
      const db = freshDatabase();
      const outcome = await writeLines(
        storage.current(),
        db,
        [
          'types,t=x f=-0.1,i=-9223372036854775808i,u=18446744073709551615u,s="héllo \\"quoted\\" \\\\ line",b=true 1732496523123456789',
          'types,t=y f=1e300,i=42i,u=0u,s="",b=false 1732496523123456790',
          'types,t=z f=3,i=9007199254740993i,u=9007199254740991u,s="日本",b=t 1',
        ].join('\n'),
      );
      assert.deepEqual(outcome, { written: 3, rejected: [] });
      const result = await storage.read(db, 'SELECT time, t, f, i, u, s, b FROM types ORDER BY time');
      assert.deepEqual(
        result.columns.map((column) => column.name),
        ['time', 't', 'f', 'i', 'u', 's', 'b'],
      );
      for (const column of result.columns) assert.ok(column.type.length > 0, `column ${column.name} has a type`);
      assert.deepEqual(result.rows, [
        // Integers beyond 2^53 are strings, so no digit is lost.
        ['1970-01-01T00:00:00.000000001Z', 'z', 3, '9007199254740993', 9007199254740991, '日本', true],
        [
          '2024-11-25T01:02:03.123456789Z',
          'x',
          -0.1,
          '-9223372036854775808',
          '18446744073709551615',
          'héllo "quoted" \\ line',
          true,
        ],
        ['2024-11-25T01:02:03.12345679Z', 'y', 1e300, 42, 0, '', false],
      ]);
    },
  );

  storage.test(
    'a point without a timestamp gets the default time; fields and tags a row lacks read as null',
    async () => {
      const db = freshDatabase();
      await writeLines(storage.current(), db, 'm,host=a f=1\nm,region=eu g="x" 5');
      assert.deepEqual(await storage.rows(db, 'SELECT time, host, region, f, g FROM m ORDER BY time'), [
        ['1970-01-01T00:00:00.000000005Z', null, 'eu', null, 'x'],
        ['2023-11-14T22:13:20Z', 'a', null, 1, null],
      ]);
    },
  );

  storage.test('a query binds $name parameters of every JSON type', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a v=1i 1\nm,host=b v=2i 2\nm,host=a v=3i 3\nm,host=a v=4i 4');
    const result = await storage
      .current()
      .query(db, 'SELECT v FROM m WHERE host = $host AND v >= $min AND $flag ORDER BY v', {
        host: 'a',
        min: 2,
        flag: true,
      });
    assert.deepEqual(result.rows, [[3], [4]]);
  });

  storage.test('written values survive a restart of the storage', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a f=1.5,i=7i,s="kept",b=false 10');
    await storage.reopen();
    assert.deepEqual(await storage.rows(db, 'SELECT time, host, f, i, s, b FROM m'), [
      ['1970-01-01T00:00:00.00000001Z', 'a', 1.5, 7, 'kept', false],
    ]);
  });

  storage.test('each database reads only its own data, even under the same measurement name', async () => {
    const a = freshDatabase();
    const b = freshDatabase();
    await writeLines(storage.current(), a, 'm v=1 1');
    await writeLines(storage.current(), b, 'm v=2 1\nm v=3 2');
    assert.deepEqual(await storage.rows(a, 'SELECT v FROM m'), [[1]]);
    assert.deepEqual(
      await storage.rows(b, { sql: 'SELECT v FROM m ORDER BY v', influxql: 'SELECT v FROM m', influxqlSortedBy: 0 }),
      [[2], [3]],
    );
  });
}
