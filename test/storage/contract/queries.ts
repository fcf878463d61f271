import assert from 'node:assert/strict';
import { before } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
import type { StorageDatabase } from '../../../src/storage/storage.ts';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, rejectsWithCode, useStorage, writeLines } from './harness.ts';

/** A statement that would run for hours unless stopped. */
const RUNAWAY =
  'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000000000) SELECT count(*) FROM r';

const POINTS = 5000;

/** Queries: streamed in batches, read-only, cancelled by their signal, capped when read whole. */
export function queryContract(harness: StorageHarness): void {
  const storage = useStorage(harness);
  let db: StorageDatabase;
  before(async () => {
    db = freshDatabase();
    const lines = Array.from({ length: POINTS }, (_, i) => `m,host=h${i % 3} v=${i}i ${i + 1}`);
    assert.equal((await writeLines(storage.current(), db, lines.join('\n'))).written, POINTS);
  });

  /** Waits until the storage counts no running statement (closing a stream may finish just after). */
  async function settled(): Promise<void> {
    for (let i = 0; i < 100 && storage.current().activeQueries() > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(storage.current().activeQueries(), 0);
  }

  storage.test(
    'a stream gives its columns first, then every row in batches, then null; closing is idempotent',
    async () => {
      const stream = await storage.current().openQuery(db, 'SELECT v FROM m ORDER BY v');
      assert.deepEqual(
        stream.columns.map((column) => column.name),
        ['v'],
      );
      assert.equal(storage.current().activeQueries(), 1);
      const values: unknown[] = [];
      let batches = 0;
      for (let batch = await stream.next(); batch !== null; batch = await stream.next()) {
        assert.ok(batch.length > 0, 'no empty batch before the end');
        batches += 1;
        for (const row of batch) values.push(row[0]);
      }
      assert.ok(batches > 1, `${POINTS} rows come in more than one batch`);
      assert.deepEqual(
        values,
        Array.from({ length: POINTS }, (_, i) => i),
      );
      assert.equal(await stream.next(), null);
      await stream.close();
      await stream.close();
      await settled();
    },
  );

  storage.test('a stream closed half-read stops, and the database keeps answering', async () => {
    const stream = await storage.current().openQuery(db, 'SELECT a.v FROM m a CROSS JOIN m b');
    assert.ok(((await stream.next()) ?? []).length > 0);
    await stream.close();
    assert.equal(await stream.next(), null);
    await settled();
    assert.deepEqual(await storage.rows(db, 'SELECT count(*) FROM m'), [[POINTS]]);
  });

  storage.test('aborting the signal stops a running statement promptly with its reason', async () => {
    const controller = new AbortController();
    const reason = new FluxgateError('QUERY_FAILED', 'the client went away');
    const started = Date.now();
    const running = storage.current().query(db, RUNAWAY, undefined, { signal: controller.signal });
    const outcome = running.then(
      () => undefined,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Still computing its first row, it counts as running.
    assert.equal(storage.current().activeQueries(), 1);
    controller.abort(reason);
    assert.equal(await outcome, reason);
    assert.ok(Date.now() - started < 10_000, 'stopped promptly, not run to its end');
    await settled();
    assert.deepEqual(await storage.rows(db, 'SELECT count(*) FROM m'), [[POINTS]]);
  });

  storage.test('aborting the signal of an open stream makes its next read throw the reason', async () => {
    const controller = new AbortController();
    const reason = new FluxgateError('QUERY_FAILED', 'stopped between batches');
    const stream = await storage
      .current()
      .openQuery(db, 'SELECT a.v FROM m a CROSS JOIN m b', { signal: controller.signal });
    try {
      assert.ok(((await stream.next()) ?? []).length > 0);
      controller.abort(reason);
      await assert.rejects(stream.next(), (error: unknown) => error === reason);
    } finally {
      await stream.close();
    }
    await settled();
  });

  storage.test('a signal aborted before the query starts refuses it', async () => {
    const reason = new FluxgateError('QUERY_FAILED', 'already gone');
    await assert.rejects(
      storage.current().query(db, 'SELECT 1', undefined, { signal: AbortSignal.abort(reason) }),
      (error: unknown) => error === reason,
    );
    await settled();
  });

  storage.test(
    'a result over its row cap or byte cap is refused with QUERY_RESULT_TOO_LARGE naming the cap',
    async () => {
      const exact = await storage.current().query(db, 'SELECT v FROM m', undefined, { maxRows: POINTS });
      assert.equal(exact.rows.length, POINTS);
      await rejectsWithCode(
        storage.current().query(db, 'SELECT v FROM m', undefined, { maxRows: POINTS - 1, limitName: '--max-rows-x' }),
        'QUERY_RESULT_TOO_LARGE',
        /--max-rows-x/,
      );
      await rejectsWithCode(
        storage.current().query(db, 'SELECT host, v FROM m', undefined, { maxBytes: 1000, limitName: '--max-bytes-x' }),
        'QUERY_RESULT_TOO_LARGE',
        /--max-bytes-x/,
      );
      const small = await storage.current().query(db, 'SELECT v FROM m WHERE v < 3 ORDER BY v', undefined, {
        maxBytes: 1000,
      });
      assert.deepEqual(small.rows, [[0], [1], [2]]);
      await settled();
    },
  );

  storage.test('a cap stops a result far larger than it without reading it all', async () => {
    // 25M rows: read whole, this would not finish within the suite's time.
    await rejectsWithCode(
      storage.current().query(db, 'SELECT a.v, b.v FROM m a CROSS JOIN m b', undefined, { maxRows: 10_000 }),
      'QUERY_RESULT_TOO_LARGE',
    );
    await settled();
  });

  storage.test('statements that would change data are refused, and change nothing', async () => {
    for (const sql of ['DELETE FROM m', 'DROP TABLE m', 'INSERT INTO m (v) VALUES (1)', 'UPDATE m SET v = 0']) {
      await assert.rejects(storage.current().query(db, sql), (error: unknown) => {
        const code = (error as { code?: string }).code;
        assert.ok(code === 'QUERY_REJECTED' || code === 'QUERY_FAILED', `${sql}: ${code}`);
        return true;
      });
    }
    assert.deepEqual(await storage.rows(db, 'SELECT count(*) FROM m'), [[POINTS]]);
    await settled();
  });

  storage.test('a missing table or invalid SQL is QUERY_FAILED naming what is wrong', async () => {
    await rejectsWithCode(storage.current().query(db, 'SELECT * FROM nowhere'), 'QUERY_FAILED', /nowhere/);
    await rejectsWithCode(storage.current().query(db, 'SELECT FROM WHERE'), 'QUERY_FAILED');
    await rejectsWithCode(storage.current().query(freshDatabase(), 'SELECT * FROM m'), 'QUERY_FAILED', /\bm\b/);
    await settled();
  });

  storage.test('one SQL text repeated answers from each database it is sent to, every time', async () => {
    const sql = 'SELECT count(v) AS n FROM m';
    const other = freshDatabase();
    for (let round = 0; round < 2; round++) {
      assert.deepEqual((await storage.current().query(db, sql)).rows, [[POINTS]]);
      await rejectsWithCode(storage.current().query(other, sql), 'QUERY_FAILED', /\bm\b/);
    }
    await writeLines(storage.current(), other, 'm,host=a v=1i 1');
    assert.deepEqual((await storage.current().query(other, sql)).rows, [[1]]);
    assert.deepEqual((await storage.current().query(db, sql)).rows, [[POINTS]]);
    await settled();
  });
}
