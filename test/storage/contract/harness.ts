import assert from 'node:assert/strict';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import type { DatabaseLimits, Storage, StorageDatabase, WriteOutcome } from '../../../src/storage/storage.ts';

/**
 * How a contract suite reaches an adapter: a storage over a fresh data directory, the same data
 * reopened by a new instance (what a restart does), and removal of everything at the end.
 */
export interface StorageHarness {
  open(): Promise<Storage>;
  /** Closes `storage` and opens a new instance over the same data. */
  reopen(storage: Storage): Promise<Storage>;
  cleanup(): Promise<void>;
}

let nextId = 1;

/** A database the storage has not seen yet; ids are unique within the run. */
export function freshDatabase(limits: Partial<DatabaseLimits> = {}): StorageDatabase {
  const id = nextId++;
  return {
    id,
    name: `contract${id}`,
    limits: { maxTables: 100, maxColumnsPerTable: 200, retentionPeriodMs: null, ...limits },
  };
}

/** Writes line protocol (nanosecond precision); every line must parse. */
export async function writeLines(storage: Storage, db: StorageDatabase, text: string): Promise<WriteOutcome> {
  const parsed = parseLineProtocolBuffer(Buffer.from(text), 'ns');
  assert.deepEqual(parsed.errors, [], 'the fixture lines parse');
  return storage.write(db, parsed, 1_700_000_000_000_000_000n);
}
