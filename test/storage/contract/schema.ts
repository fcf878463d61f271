import assert from 'node:assert/strict';
import { freshDatabase, type StorageHarness, useStorage, writeLines } from './harness.ts';

/** The schema port: measurements, tag keys and typed field keys of one database, as writes made them. */
export function schemaContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  storage.test('a database never written has no measurements', async () => {
    assert.deepEqual(await storage.current().schema(freshDatabase()), []);
  });

  storage.test('measurements, tags and fields come in byte order, each field with its line-protocol type', async () => {
    const db = freshDatabase();
    await writeLines(
      storage.current(),
      db,
      [
        'weather,zone=z1,Site=s1 temp=1.5,count=2i,total=3u,label="x",ok=true 1',
        'cpu,host=a,region=eu usage=0.5 2',
        'Disk,host=a free=10i 3',
      ].join('\n'),
    );
    assert.deepEqual(await storage.current().schema(db), [
      { name: 'Disk', tags: ['host'], fields: [{ name: 'free', type: 'integer' }] },
      { name: 'cpu', tags: ['host', 'region'], fields: [{ name: 'usage', type: 'float' }] },
      {
        name: 'weather',
        tags: ['Site', 'zone'],
        fields: [
          { name: 'count', type: 'integer' },
          { name: 'label', type: 'string' },
          { name: 'ok', type: 'boolean' },
          { name: 'temp', type: 'float' },
          { name: 'total', type: 'uinteger' },
        ],
      },
    ]);
  });

  storage.test('later writes add their new tags and fields; a measurement with only fields has no tags', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm f=1 1');
    assert.deepEqual(await storage.current().schema(db), [
      { name: 'm', tags: [], fields: [{ name: 'f', type: 'float' }] },
    ]);
    await writeLines(storage.current(), db, 'm,t=x g="s" 2\nn,u=y h=false 3');
    assert.deepEqual(await storage.current().schema(db), [
      {
        name: 'm',
        tags: ['t'],
        fields: [
          { name: 'f', type: 'float' },
          { name: 'g', type: 'string' },
        ],
      },
      { name: 'n', tags: ['u'], fields: [{ name: 'h', type: 'boolean' }] },
    ]);
  });

  storage.test('a refused point adds no column: a type conflict leaves the schema as it was', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm f=1 1');
    const outcome = await writeLines(storage.current(), db, 'm,newtag=a f="text",newfield=1i 2');
    assert.equal(outcome.written, 0);
    assert.equal(outcome.rejected.length, 1);
    assert.deepEqual(await storage.current().schema(db), [
      { name: 'm', tags: [], fields: [{ name: 'f', type: 'float' }] },
    ]);
  });

  storage.test('each database has its own schema', async () => {
    const a = freshDatabase();
    const b = freshDatabase();
    await writeLines(storage.current(), a, 'only_a,t=1 f=1 1');
    await writeLines(storage.current(), b, 'only_b g=1i 1');
    assert.deepEqual(
      (await storage.current().schema(a)).map((m) => m.name),
      ['only_a'],
    );
    assert.deepEqual(
      (await storage.current().schema(b)).map((m) => m.name),
      ['only_b'],
    );
  });

  storage.test('the schema survives a restart: tags stay tags and string fields stay fields', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm,host=a s="text",n=1i 1');
    const before = await storage.current().schema(db);
    await storage.reopen();
    assert.deepEqual(await storage.current().schema(db), before);
    assert.deepEqual(before, [
      {
        name: 'm',
        tags: ['host'],
        fields: [
          { name: 'n', type: 'integer' },
          { name: 's', type: 'string' },
        ],
      },
    ]);
  });

  storage.test(
    'a dropped database has no measurements, and writes after the drop start from an empty schema',
    async () => {
      const db = freshDatabase();
      await writeLines(storage.current(), db, 'm f=1 1');
      await storage.current().drop(db.id);
      assert.deepEqual(await storage.current().schema(db), []);
      await writeLines(storage.current(), db, 'other g=1 1');
      assert.deepEqual(
        (await storage.current().schema(db)).map((m) => m.name),
        ['other'],
      );
    },
  );

  storage.test('a released database keeps its data: the next use reopens it as it was', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm f=1 1\nm f=2 2');
    await storage.current().release(db.id);
    assert.deepEqual(
      (await storage.current().schema(db)).map((m) => m.name),
      ['m'],
    );
    assert.deepEqual(await storage.rows(db, 'SELECT f FROM m ORDER BY time'), [[1], [2]]);
    await storage.current().release(db.id);
    await writeLines(storage.current(), db, 'm f=3 3');
    assert.deepEqual(
      await storage.rows(db, { sql: 'SELECT count(*) AS n FROM m', influxql: 'SELECT count(f) AS n FROM m' }),
      [[3]],
    );
  });
}
