import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { realisticBatches } from '../../../bench/peer/realistic-lines.ts';
import { packBatch, unpackBatch } from '../../../src/storage/lineprotocol/batch-transfer.ts';
import type { LineBatch } from '../../../src/storage/lineprotocol/line-batch.ts';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { ParsePool } from '../../../src/storage/lineprotocol/parse-pool.ts';
import type { Precision } from '../../../src/storage/lineprotocol/types.ts';

/** Every kind of value, lines only the general parser takes, bad lines, lines without a time, two measurements. */
const MIXED = [
  'cpu,host=a,region=eu usage=1.5,count=3i,big=18446744073709551615u,on=true,state="ok" 1000',
  'cpu,host=b usage=2.25 2000',
  'mem,host=a used=10i',
  'cpu,host\\ x=c usage=3,state="q\\"z" 3000',
  'cpu,host=a usage=',
  '# a comment',
  'mem,host=b used=11i,free=1.1e-7 4000',
  'cpu,host=a usage=4 notatime',
  'cpu,host=a usage=5,count=9223372036854775807i 5000',
];

function sameBatch(actual: LineBatch, expected: LineBatch): void {
  assert.deepEqual(actual.toParsedLines(), expected.toParsedLines());
  assert.deepEqual(actual.errors, expected.errors);
  assert.equal(actual.pointCount, expected.pointCount);
  assert.deepEqual(
    actual.tables.map((t) => [t.measurement, t.rowCount, t.missingTimes, t.shapes, [...t.unstorableTimes]]),
    expected.tables.map((t) => [t.measurement, t.rowCount, t.missingTimes, t.shapes, [...t.unstorableTimes]]),
  );
  actual.tables.forEach((table, index) => {
    const source = expected.tables[index]!;
    assert.deepEqual(
      Array.from(table.lineNumbers.subarray(0, table.rowCount)),
      Array.from(source.lineNumbers.subarray(0, source.rowCount)),
    );
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.kind, c.presentCount]),
      source.columns.map((c) => [c.name, c.kind, c.presentCount]),
    );
  });
}

/** A body big enough to go to a worker: the bench's realistic lines, with some bad and time-less lines. */
function bigBody(seed: number): Buffer {
  const [lines] = realisticBatches({ batches: 1, series: 100, stepsPerBatch: 20, startSeconds: 1_700_000_000, seed });
  return Buffer.concat([lines!, Buffer.from(`\n${MIXED.join('\n')}\n`), lines!]);
}

describe('a parsed batch moved between threads', () => {
  test('unpacks to the batch that was packed: rows, line numbers, values, shapes and errors', () => {
    for (const precision of ['ns', 'ms', 'auto'] as Precision[]) {
      const body = Buffer.from(MIXED.join('\n'));
      const { packed } = packBatch(parseLineProtocolBuffer(body, precision));
      sameBatch(unpackBatch(structuredClone(packed)), parseLineProtocolBuffer(body, precision));
    }
  });

  test('keeps its columns findable by name and kind, so rows can still be added', () => {
    const body = Buffer.from(MIXED.join('\n'));
    const unpacked = unpackBatch(packBatch(parseLineProtocolBuffer(body, 'ns')).packed);
    const table = unpacked.tables[0]!;
    const columns = table.columns.length;
    assert.equal(table.columns[table.columnId('usage', 'float')]!.name, 'usage');
    assert.equal(table.columns.length, columns);
    table.addPoint(99, {
      measurement: 'cpu',
      tags: [['host', 'z']],
      fields: [['usage', { type: 'float', value: 7 }]],
      timestampNs: 9n,
    });
    assert.deepEqual(unpacked.toParsedLines().at(-1), {
      lineNumber: 99,
      point: {
        measurement: 'cpu',
        tags: [['host', 'z']],
        fields: [['usage', { type: 'float', value: 7 }]],
        timestampNs: 9n,
      },
    });
  });
});

describe('the parse pool', () => {
  const pool = new ParsePool(1);
  after(() => pool.close());

  test('parses a large body on its worker exactly as the event loop would, concurrently with others', async () => {
    await pool.started();
    const bodies = [1, 2, 3, 4].map(bigBody);
    assert.ok(bodies.every((body) => body.length > 64 * 1024));
    const before = pool.counts.offloaded;
    const batches = await Promise.all(bodies.map((body) => pool.parse(body, 'ns')));
    assert.equal(pool.counts.offloaded - before, bodies.length);
    batches.forEach((batch, index) => {
      sameBatch(batch, parseLineProtocolBuffer(bodies[index]!, 'ns'));
    });
    assert.ok(batches[0]!.errors.length >= 2, 'the bad lines come back with their line numbers');
    // The body is still the caller's (it is copied to the worker, not moved).
    assert.equal(bodies[0]!.toString('utf8', 0, 3), 'cpu');
  });

  test('guesses `auto` times on the worker as inline', async () => {
    const body = bigBody(5);
    sameBatch(await pool.parse(body, 'auto'), parseLineProtocolBuffer(body, 'auto'));
  });

  test('parses small bodies on the calling thread', async () => {
    const before = { ...pool.counts };
    const batch = await pool.parse(Buffer.from(MIXED.join('\n')), 'ns');
    assert.equal(pool.counts.inline, before.inline + 1);
    assert.equal(pool.counts.offloaded, before.offloaded);
    sameBatch(batch, parseLineProtocolBuffer(Buffer.from(MIXED.join('\n')), 'ns'));
  });

  test('parses every body on the calling thread once its worker is gone, the ones it held included', async () => {
    const own = new ParsePool(1);
    await own.started();
    const body = bigBody(6);
    const held = own.parse(body, 'ns');
    const slots = (own as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots;
    await slots[0]!.worker.terminate();
    sameBatch(await held, parseLineProtocolBuffer(body, 'ns'));
    const later = await own.parse(body, 'ns');
    sameBatch(later, parseLineProtocolBuffer(body, 'ns'));
    assert.ok(own.counts.inline >= 1);
    await own.close();
  });

  test('stops idle workers after its idle time, keeps them for a longer one, and starts them again on demand', async () => {
    const own = new ParsePool(1);
    const idle = () => new Promise((resolve) => setTimeout(resolve, 300));
    own.idleStopMs = 50;
    await own.parse(bigBody(7), 'ns');
    assert.equal(own.workers, 1);
    await idle();
    assert.equal(own.workers, 0, 'stopped 50 ms after its last body');

    own.idleStopMs = 60_000;
    await own.started();
    await own.parse(bigBody(8), 'ns');
    await idle();
    assert.equal(own.workers, 1, 'kept while the idle time has not passed');
    await own.stopIdleWorkers();
    assert.equal(own.workers, 0);

    const body = bigBody(9);
    sameBatch(await own.parse(body, 'ns'), parseLineProtocolBuffer(body, 'ns'));
    assert.equal(own.workers, 1, 'a large body starts them again');
    await own.close();
  });
});
