import assert from 'node:assert/strict';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, useStorage, writeLines } from './harness.ts';

const MIXED = 'cpu,host=b usage=2,extra=1i 2\nfresh v=1 3\ncpu,host=c usage=3i 4';

/** `accept_partial=false`: a batch with any refused point stores nothing; otherwise the good points are kept. */
export function atomicWriteContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  storage.test(
    'an atomic batch with one refused point stores nothing: no rows, no new measurement, tag or field',
    async () => {
      const db = freshDatabase();
      assert.equal((await writeLines(storage.current(), db, 'cpu,host=a usage=1 1')).written, 1);
      const before = await storage.current().schema(db);
      const outcome = await writeLines(storage.current(), db, MIXED, { atomic: true });
      assert.equal(outcome.written, 0);
      assert.deepEqual(
        outcome.rejected.map((error) => error.lineNumber),
        [3],
      );
      assert.match(outcome.rejected[0]?.message ?? '', /usage/);
      assert.deepEqual(await storage.rows(db, 'SELECT host, usage FROM cpu'), [['a', 1]]);
      assert.deepEqual(await storage.current().schema(db), before);
    },
  );

  storage.test('the same batch written without atomic keeps the good points and refuses only the bad one', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'cpu,host=a usage=1 1');
    const outcome = await writeLines(storage.current(), db, MIXED);
    assert.equal(outcome.written, 2);
    assert.deepEqual(
      outcome.rejected.map((error) => error.lineNumber),
      [3],
    );
    assert.deepEqual(await storage.rows(db, 'SELECT host, usage, extra FROM cpu ORDER BY time'), [
      ['a', 1, null],
      ['b', 2, 1],
    ]);
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM fresh'), [[1]]);
  });

  storage.test('an atomic batch refused on a fresh database leaves it with no measurements', async () => {
    const db = freshDatabase();
    const outcome = await writeLines(storage.current(), db, 'a v=1 1\nb v=1 1\nb v="text" 2', { atomic: true });
    assert.equal(outcome.written, 0);
    assert.equal(outcome.rejected.length, 1);
    assert.deepEqual(await storage.current().schema(db), []);
  });

  storage.test('an atomic batch with no refused point stores every point', async () => {
    const db = freshDatabase();
    const outcome = await writeLines(storage.current(), db, 'a v=1 1\nb w=2i 1\na v=3 2', { atomic: true });
    assert.deepEqual(outcome, { written: 3, rejected: [] });
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM a ORDER BY time'), [[1], [3]]);
    assert.deepEqual(await storage.rows(db, 'SELECT w FROM b'), [[2]]);
  });

  storage.test('atomic and partial writes to one database at the same time keep their own outcomes', async () => {
    const db = freshDatabase();
    await writeLines(storage.current(), db, 'm v=1 1');
    const [refused, kept, good] = await Promise.all([
      writeLines(storage.current(), db, 'm v=2 2\nm v="x" 3', { atomic: true }),
      writeLines(storage.current(), db, 'm v=4 4\nm v="y" 5'),
      writeLines(storage.current(), db, 'm v=6 6', { atomic: true }),
    ]);
    assert.equal(refused.written, 0);
    assert.equal(kept.written, 1);
    assert.equal(good.written, 1);
    assert.deepEqual(await storage.rows(db, 'SELECT v FROM m ORDER BY time'), [[1], [4], [6]]);
  });
}
