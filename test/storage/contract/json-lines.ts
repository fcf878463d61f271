import assert from 'node:assert/strict';
import { before } from 'node:test';
import { FluxgateError } from '../../../src/domain/errors.ts';
import { toJsonLines } from '../../../src/http/v3/query-formats.ts';
import type { JsonLinesStream, Storage, StorageDatabase } from '../../../src/storage/storage.ts';
import type { StorageHarness } from './harness.ts';
import { freshDatabase, rejectsWithCode, useStorage, writeLines } from './harness.ts';

const POINTS = 5000;

/** The adapter's openJsonLines; a harness that runs this part declares it present. */
function openJsonLines(storage: Storage) {
  const open = storage.openJsonLines?.bind(storage);
  assert.ok(open !== undefined, 'an adapter that runs this part offers openJsonLines');
  return open;
}

/** Every run of a stream, read to its end. */
async function runsOf(stream: JsonLinesStream): Promise<Buffer[]> {
  const runs: Buffer[] = [];
  for (let run = await stream.next(); run !== null; run = await stream.next()) runs.push(run);
  return runs;
}

/**
 * JSON lines, on an adapter whose engine encodes answers itself: what openQuery gives, as format=jsonl
 * writes it, in runs of whole lines; validated, refused and stopped as openQuery is.
 */
export function jsonLinesContract(harness: StorageHarness): void {
  const storage = useStorage(harness);
  let db: StorageDatabase;
  before(async () => {
    db = freshDatabase();
    const lines = Array.from({ length: POINTS }, (_, i) => {
      const text = i % 3 === 0 ? `,s="q \\"${i}\\" é \\\\"` : '';
      return `m,host=h${i % 3} v=${i}i,f=${i / 8},b=${i % 2 === 0}${text} ${i + 1}`;
    });
    assert.equal((await writeLines(storage.current(), db, lines.join('\n'))).written, POINTS);
  });

  storage.test(
    'JSON lines are the rows of openQuery as format=jsonl encodes them, in runs of whole lines',
    async () => {
      const sql = 'SELECT * FROM m ORDER BY time';
      const runs = await runsOf(await openJsonLines(storage.current())(db, sql));
      assert.ok(runs.length > 0);
      for (const run of runs) assert.equal(run.at(-1), 0x0a, 'each run ends with a whole line');
      const text = Buffer.concat(runs).toString('utf8');
      assert.equal(text, toJsonLines(await storage.current().query(db, sql)));
      assert.equal(text.split('\n').length, POINTS + 1);
      assert.equal(storage.current().activeQueries(), 0, 'a stream read to its end is no longer running');
    },
  );

  storage.test('an empty result is no lines, and parameters reach the engine', async () => {
    assert.deepEqual(await runsOf(await openJsonLines(storage.current())(db, 'SELECT v FROM m WHERE v < 0')), []);
    const runs = await runsOf(
      await openJsonLines(storage.current())(db, 'SELECT v FROM m WHERE v = $v', { params: { v: 42 } }),
    );
    assert.equal(Buffer.concat(runs).toString('utf8'), '{"v":42}\n');
  });

  storage.test('a stream counts as running until closed; closing half-read stops it, idempotently', async () => {
    const stream = await openJsonLines(storage.current())(db, 'SELECT a.v FROM m a CROSS JOIN m b');
    assert.equal(storage.current().activeQueries(), 1);
    assert.ok(((await stream.next()) ?? Buffer.alloc(0)).length > 0);
    await stream.close();
    await stream.close();
    assert.equal(await stream.next(), null);
    assert.equal(storage.current().activeQueries(), 0);
    assert.deepEqual(await storage.rows(db, 'SELECT count(*) FROM m'), [[POINTS]]);
  });

  storage.test('aborting the signal of an open stream makes its next read throw the reason', async () => {
    const controller = new AbortController();
    const reason = new FluxgateError('QUERY_FAILED', 'stopped between runs');
    const stream = await openJsonLines(storage.current())(db, 'SELECT a.v FROM m a CROSS JOIN m b', {
      signal: controller.signal,
    });
    try {
      assert.ok(((await stream.next()) ?? Buffer.alloc(0)).length > 0);
      controller.abort(reason);
      await assert.rejects(
        (async () => {
          for (;;) if ((await stream.next()) === null) return;
        })(),
        (error: unknown) => error === reason,
      );
    } finally {
      await stream.close();
    }
    assert.equal(storage.current().activeQueries(), 0);
  });

  storage.test(
    'a missing table, invalid SQL or a statement that writes is refused as openQuery refuses it',
    async () => {
      const open = openJsonLines(storage.current());
      await rejectsWithCode(open(db, 'SELECT * FROM nowhere'), 'QUERY_FAILED', /nowhere/);
      await rejectsWithCode(open(db, 'SELECT FROM WHERE'), 'QUERY_FAILED');
      await rejectsWithCode(open(freshDatabase(), 'SELECT * FROM m'), 'QUERY_FAILED', /\bm\b/);
      for (const sql of ['DELETE FROM m', 'DROP TABLE m']) {
        await assert.rejects(open(db, sql), (error: unknown) => {
          const code = (error as { code?: string }).code;
          assert.ok(code === 'QUERY_REJECTED' || code === 'QUERY_FAILED', `${sql}: ${code}`);
          return true;
        });
      }
      assert.deepEqual(await storage.rows(db, 'SELECT count(*) FROM m'), [[POINTS]]);
      assert.equal(storage.current().activeQueries(), 0);
    },
  );
}
