import assert from 'node:assert/strict';
import type { VirtualTable } from '../../../src/storage/storage.ts';
import type { StorageHarness } from './harness.ts';
import { declaredAbsent, freshDatabase, useStorage, writeLines } from './harness.ts';

const TABLE: VirtualTable = {
  schema: 'system',
  name: 'things',
  columns: [{ name: 'n', sqlType: 'BIGINT' }],
  rows: [[1], [2]],
};

/**
 * The optional capabilities: each one an adapter has works; each one it declares absent is refused
 * with STORAGE_CAPABILITY_ABSENT naming the engine, never half-done.
 */
export function capabilitiesContract(harness: StorageHarness): void {
  const storage = useStorage(harness);

  storage.test('Parquet encoding works, or is declared absent and refused', async () => {
    const result = { columns: [{ name: 'v', sqlType: 'BIGINT' }], rows: [[1], [2]] };
    if (await declaredAbsent(storage.current(), 'parquet', () => storage.current().toParquet(result))) {
      const pieces = storage.current().encodeParquet(result.columns, (async function* () {})());
      await declaredAbsent(storage.current(), 'parquet', async () => {
        for await (const _ of pieces) assert.fail('no piece of an absent capability');
      });
      return;
    }
    const bytes = await storage.current().toParquet(result);
    assert.equal(Buffer.from(bytes.subarray(0, 4)).toString(), 'PAR1');
  });

  storage.test('virtual tables work, or are declared absent and refused', async () => {
    const sql = 'SELECT n FROM system.things ORDER BY n';
    if (await declaredAbsent(storage.current(), 'virtualTables', () => storage.current().queryVirtual([TABLE], sql))) {
      await declaredAbsent(storage.current(), 'virtualTables', () => storage.current().openVirtualQuery([TABLE], sql));
      return;
    }
    assert.deepEqual((await storage.current().queryVirtual([TABLE], sql)).rows, [[1], [2]]);
  });

  storage.test('disk usage and retention answer with numbers, or are declared absent and refused', async () => {
    const db = freshDatabase({ retentionPeriodMs: 3_600_000 });
    await writeLines(storage.current(), db, `m v=1 ${BigInt(Date.now()) * 1_000_000n}`);
    if (!(await declaredAbsent(storage.current(), 'diskUsage', () => storage.current().diskUsage(db)))) {
      assert.ok((await storage.current().diskUsage(db)) > 0);
    }
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (!(await declaredAbsent(storage.current(), 'retention', () => storage.current().enforceRetention(db, nowNs)))) {
      assert.equal(await storage.current().enforceRetention(db, nowNs), 0);
    }
  });
}
