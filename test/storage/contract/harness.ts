import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import type {
  DatabaseLimits,
  Storage,
  StorageCapability,
  StorageDatabase,
  WriteOptions,
  WriteOutcome,
} from '../../../src/storage/storage.ts';

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
export async function writeLines(
  storage: Storage,
  db: StorageDatabase,
  text: string,
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  const parsed = parseLineProtocolBuffer(Buffer.from(text), 'ns');
  assert.deepEqual(parsed.errors, [], 'the fixture lines parse');
  return storage.write(db, parsed, DEFAULT_TIME_NS, options);
}

/** What `writeLines` stamps points without a timestamp with: 2023-11-14T22:13:20Z. */
export const DEFAULT_TIME_NS = 1_700_000_000_000_000_000n;

/**
 * Opens a storage from the harness before the tests of the enclosing `describe` and closes it (and
 * cleans up) after them. `current()` is the storage now open; `reopen()` restarts it over the same data.
 */
export function useStorage(harness: StorageHarness): { current(): Storage; reopen(): Promise<Storage> } {
  let storage: Storage | undefined;
  before(async () => {
    storage = await harness.open();
  });
  after(async () => {
    try {
      await storage?.close();
    } finally {
      await harness.cleanup();
    }
  });
  const current = (): Storage => {
    if (!storage) throw new Error('the storage is not open');
    return storage;
  };
  return {
    current,
    async reopen() {
      storage = await harness.reopen(current());
      return storage;
    },
  };
}

/** The rows of a plain SELECT, read whole. */
export async function rowsOf(storage: Storage, db: StorageDatabase, sql: string): Promise<unknown[][]> {
  return (await storage.query(db, sql)).rows;
}

/** Asserts the promise rejects with an error of this code whose message matches `pattern`; returns the error. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
  pattern: RegExp = /./,
): Promise<Error & { code?: string }> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, `expected a ${code} error, but it resolved`);
  const error = caught as Error & { code?: string };
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  assert.match(error.message, pattern);
  return error;
}

/**
 * Whether the adapter declares `capability` absent; if it does, proves that `attempt` (a use of it)
 * is refused with STORAGE_CAPABILITY_ABSENT naming the engine, as the port promises.
 */
export async function declaredAbsent(
  storage: Storage,
  capability: StorageCapability,
  attempt: () => Promise<unknown>,
): Promise<boolean> {
  if (!storage.absent.has(capability)) return false;
  const error = await rejectsWithCode(attempt(), 'STORAGE_CAPABILITY_ABSENT', /not available/);
  assert.equal((error as { details?: { capability?: string } }).details?.capability, capability);
  return true;
}
