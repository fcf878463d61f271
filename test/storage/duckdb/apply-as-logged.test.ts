import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { database, tempDir } from './helpers.ts';

/** Writes whose points are partly refused, and whose schema grows from one record to the next. */
const WRITES: Array<{ body: string; refused: number[] }> = [
  { body: 'm,host=a x=1i 1\nm,host=a x="text" 2\nm,host=b x=2i 3', refused: [2] },
  { body: 'm,host=a,zone=z y=1.5 4\nm,host=b x=3i 3', refused: [] },
  { body: 'n v=1i 5\nM x=1i 6\nm,host=c x=4i,y=2.5 7', refused: [2] },
];

const EXPECTED_M = ['a|-|1|1|-', 'a|z|4|-|1.5', 'b|-|3|3|-', 'c|-|7|4|2.5'];

async function rowsOf(storage: DuckDbStorage, db: ReturnType<typeof database>): Promise<{ m: string[]; n: string[] }> {
  const m = await storage.query(
    db,
    'SELECT host, zone, CAST(epoch_ns(time) AS INTEGER), CAST(x AS VARCHAR), CAST(y AS VARCHAR) FROM m ORDER BY ALL',
  );
  const n = await storage.query(db, 'SELECT CAST(epoch_ns(time) AS INTEGER), CAST(v AS VARCHAR) FROM n');
  const show = (rows: unknown[][]) => rows.map((row) => row.map((value) => value ?? '-').join('|'));
  return { m: show(m.rows).sort(), n: show(n.rows) };
}

for (const how of ['applied after all three writes', 'replayed after a crash'] as const) {
  it(`records logged one by one are stored as they were checked when ${how}: refused points left out, columns added later in place`, async () => {
    const dir = tempDir();
    const db = database(1);
    const crash = how === 'replayed after a crash';
    // No apply until a query asks for one (or the storage closes and applies, unless it crashes).
    let storage = new DuckDbStorage(dir, Number.POSITIVE_INFINITY, {
      applyIntervalMs: 3_600_000,
      applyOnClose: !crash,
    });
    try {
      for (const write of WRITES) {
        const outcome = await storage.write(db, parseLineProtocolBuffer(Buffer.from(write.body), 'ns'), 0n);
        assert.deepEqual(
          outcome.rejected.map((error) => error.lineNumber),
          write.refused,
        );
      }
      if (crash) {
        await storage.close();
        assert.ok(fs.existsSync(storage.walDir(db.id)), 'the crash left the writes in the log');
        storage = new DuckDbStorage(dir, Number.POSITIVE_INFINITY, { applyIntervalMs: 3_600_000 });
      }
      assert.deepEqual(await rowsOf(storage, db), { m: EXPECTED_M, n: ['5|1'] });
    } finally {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
