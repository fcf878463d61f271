import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import fc from 'fast-check';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { database, openStorage, tempDir } from './helpers.ts';

interface Op {
  host: string | null;
  region: string | null;
  time: number;
  fields: Partial<Record<'a' | 'b' | 'c', number>>;
}

const op: fc.Arbitrary<Op> = fc.record({
  host: fc.constantFrom(null, 'h1', 'h2'),
  region: fc.constantFrom(null, 'eu'),
  time: fc.integer({ min: 1, max: 6 }),
  fields: fc
    .record(
      { a: fc.integer({ min: 0, max: 99 }), b: fc.integer({ min: 0, max: 99 }), c: fc.integer({ min: 0, max: 99 }) },
      { requiredKeys: [] },
    )
    .filter((fields) => Object.keys(fields).length > 0),
});

/** A write sequence: batches of points, and after which batches the storage is reopened. */
const sequence = fc.array(fc.record({ points: fc.array(op, { minLength: 1, maxLength: 8 }), reopen: fc.boolean() }), {
  minLength: 1,
  maxLength: 6,
});

function lineOf(point: Op): string {
  const tags = `${point.host ? `,host=${point.host}` : ''}${point.region ? `,region=${point.region}` : ''}`;
  const fields = Object.entries(point.fields).map(([key, value]) => `${key}=${value}i`);
  return `m${tags} ${fields.join(',')} ${point.time}`;
}

/** A write sequence through the write-ahead log: after each batch, nothing, a query (which forces the apply), a clean restart or a crash. */
const loggedSequence = fc.array(
  fc.record({
    points: fc.array(op, { minLength: 1, maxLength: 8 }),
    after: fc.constantFrom('nothing', 'query', 'restart', 'crash'),
  }),
  { minLength: 1, maxLength: 8 },
);

/** The rows of `m` as comparable strings. */
async function readBack(storage: DuckDbStorage, db: ReturnType<typeof database>): Promise<string[]> {
  const result = await storage.query(
    db,
    `SELECT * EXCLUDE (time), CAST(epoch_ns(time) AS INTEGER) AS t FROM m ORDER BY ALL`,
  );
  const names = result.columns.map((column) => column.name);
  return result.rows
    .map((row) => {
      const record: Record<string, unknown> = {};
      names.forEach((name, index) => {
        record[name] = row[index];
      });
      return `${record.host ?? null}|${record.region ?? null}|${record.t}|${['a', 'b', 'c'].map((f) => record[f] ?? '-').join(',')}`;
    })
    .sort();
}

function modelRows(model: Map<string, Record<string, unknown>>): string[] {
  return [...model.values()]
    .map(
      (row) =>
        `${row.host}|${row.region}|${row.time}|${['a', 'b', 'c'].map((f) => (row[f] as number | undefined) ?? '-').join(',')}`,
    )
    .sort();
}

it('last write wins through the write-ahead log: the model map after applies, restarts and crashes that leave the log unapplied (15 runs)', async () => {
  let id = 1000;
  const dir = tempDir();
  // The apply runs only when a query needs it or the storage closes; a crash closes without applying.
  const open = (applyOnClose: boolean) =>
    new DuckDbStorage(dir, Number.POSITIVE_INFINITY, { applyIntervalMs: 3_600_000, applyOnClose });
  let storage: DuckDbStorage | undefined;
  let replays = 0;
  try {
    await fc.assert(
      fc.asyncProperty(loggedSequence, async (batches) => {
        const db = database(id++);
        const model = new Map<string, Record<string, unknown>>();
        // Each storage instance is made knowing how it will be closed: a restart applies, a crash does not.
        const closes = batches.filter((batch) => batch.after === 'restart' || batch.after === 'crash');
        let next = 0;
        const reopen = () => open(closes[next++]?.after !== 'crash');
        storage = reopen();
        for (const batch of batches) {
          const body = Buffer.from(batch.points.map(lineOf).join('\n'));
          const outcome = await storage.write(db, parseLineProtocolBuffer(body, 'ns'), 0n);
          assert.deepEqual(outcome.rejected, []);
          for (const point of batch.points) {
            const key = `${point.host}|${point.region}|${point.time}`;
            const row = model.get(key) ?? { host: point.host, region: point.region, time: point.time };
            model.set(key, { ...row, ...point.fields });
          }
          if (batch.after === 'query') assert.deepEqual(await readBack(storage, db), modelRows(model));
          if (batch.after === 'restart' || batch.after === 'crash') {
            await storage.close();
            // A restart applied the log and left none; a crash left the writes since the last apply in it.
            const logged = fs.existsSync(storage.walDir(db.id));
            if (batch.after === 'restart') assert.equal(logged, false);
            else if (logged) replays++;
            storage = reopen();
          }
        }
        assert.deepEqual(await readBack(storage, db), modelRows(model));
        await storage.close();
        storage = undefined;
      }),
      { numRuns: 15 },
    );
    assert.ok(replays > 0, 'some crash left writes in the log to replay');
  } finally {
    await storage?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('last write wins: any sequence of writes reads back as the model map, one row per series and time, across reopens (25 runs)', async () => {
  let id = 1;
  const dir = tempDir();
  let storage = new DuckDbStorage(dir);
  try {
    await fc.assert(
      fc.asyncProperty(sequence, async (batches) => {
        const db = database(id++);
        const model = new Map<string, Record<string, unknown>>();
        for (const batch of batches) {
          const body = Buffer.from(batch.points.map(lineOf).join('\n'));
          const outcome = await storage.write(db, parseLineProtocolBuffer(body, 'ns'), 0n);
          assert.deepEqual(outcome.rejected, []);
          for (const point of batch.points) {
            const key = `${point.host}|${point.region}|${point.time}`;
            const row = model.get(key) ?? { host: point.host, region: point.region, time: point.time };
            model.set(key, { ...row, ...point.fields });
          }
          if (batch.reopen) {
            await storage.close();
            storage = new DuckDbStorage(dir);
          }
        }
        const result = await storage.query(
          db,
          `SELECT * EXCLUDE (time), CAST(epoch_ns(time) AS INTEGER) AS t FROM m ORDER BY ALL`,
        );
        const names = result.columns.map((column) => column.name);
        const got = result.rows.map((row) => {
          const record: Record<string, unknown> = {};
          names.forEach((name, index) => {
            record[name] = row[index];
          });
          return `${record.host ?? null}|${record.region ?? null}|${record.t}|${['a', 'b', 'c'].map((f) => record[f] ?? '-').join(',')}`;
        });
        const expected = [...model.values()].map(
          (row) =>
            `${row.host}|${row.region}|${row.time}|${['a', 'b', 'c'].map((f) => (row[f] as number | undefined) ?? '-').join(',')}`,
        );
        assert.deepEqual(got.sort(), expected.sort());
      }),
      { numRuns: 25 },
    );
  } finally {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('last write wins across row groups: a merge rewrites a point stored long before and inserts a late new one, at either end of its time range', async () => {
  const { storage, cleanup } = openStorage();
  const db = database(1);
  try {
    // 300,000 rows of one series: three of DuckDB's row groups, so a merge must find rows in the first and the last.
    const rows = 300_000;
    const lines: string[] = [];
    for (let t = 1; t <= rows; t++) if (t !== 150_000) lines.push(`m,host=a v=${t}i ${t * 10}`);
    await storage.write(db, parseLineProtocolBuffer(Buffer.from(lines.join('\n')), 'ns'), 0n);
    // One batch: a rewrite of the first point, a point never stored (earlier than the series' latest), a rewrite of the last.
    const late = ['m,host=a v=-1i,w=1i 10', 'm,host=a v=-2i 1500000', `m,host=a w=3i ${rows * 10}`];
    await storage.write(db, parseLineProtocolBuffer(Buffer.from(late.join('\n')), 'ns'), 0n);
    const result = await storage.query(
      db,
      `SELECT count(*) AS n, count(DISTINCT "time") AS times, sum(v) AS total, sum(w) AS ws FROM m`,
    );
    const [n, times, total, ws] = result.rows[0]!.map(Number);
    assert.equal(n, rows);
    assert.equal(times, rows);
    assert.equal(total, (rows * (rows + 1)) / 2 - 150_000 - 1 - 1 - 2);
    assert.equal(ws, 4);
    const ends = await storage.query(
      db,
      `SELECT v, w FROM m WHERE "time" IN (make_timestamp_ns(10), make_timestamp_ns(${rows * 10})) ORDER BY "time"`,
    );
    assert.deepEqual(
      ends.rows.map((row) => row.map(Number)),
      [
        [-1, 1],
        [rows, 3],
      ],
    );
  } finally {
    await cleanup();
  }
});
