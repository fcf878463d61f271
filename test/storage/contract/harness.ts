import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import type {
  DatabaseLimits,
  Storage,
  StorageCapability,
  StorageDatabase,
  WriteOptions,
  WriteOutcome,
} from '../../../src/storage/storage.ts';
import type { Departures } from './departures.ts';
import { type Read, type ReadBack, type ReadResult, sqlReadBack } from './read-back.ts';

/**
 * How a contract suite reaches an adapter: a storage over a fresh data directory, the same data
 * reopened by a new instance (what a restart does), and removal of everything at the end.
 */
export interface StorageHarness {
  open(): Promise<Storage>;
  /** Closes `storage` and opens a new instance over the same data. */
  reopen(storage: Storage): Promise<Storage>;
  cleanup(): Promise<void>;
  /** How the cases read back what they wrote: SQL unless said otherwise (an adapter without SQL). */
  readBack?: ReadBack;
  /** The cases this adapter departs from, each with its reason, declared in one place (departures.ts). */
  departures?: Departures;
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

/** The storage a contract part runs against, and how its cases read back what they wrote. */
export interface ContractStorage {
  /** The storage now open. */
  current(): Storage;
  /** Restarts it over the same data (what a restart of the server does). */
  reopen(): Promise<Storage>;
  readBack: ReadBack;
  read(db: StorageDatabase, read: Read): Promise<ReadResult>;
  /** The rows of a read, whole. */
  rows(db: StorageDatabase, read: Read): Promise<unknown[][]>;
  /** Asserts that the read finds no measurement `name`. */
  assertNoMeasurement(db: StorageDatabase, read: Read, name: string): Promise<void>;
  /** Registers a case of the contract, or what the adapter's declared departure from it says instead. */
  test(title: string, fn: (t: TestContext) => Promise<void>): void;
}

/**
 * Opens a storage from the harness before the tests of the enclosing `describe` and closes it (and
 * cleans up) after them. `current()` is the storage now open; `reopen()` restarts it over the same data.
 */
export function useStorage(harness: StorageHarness): ContractStorage {
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
  const readBack = harness.readBack ?? sqlReadBack;
  const handle: ContractStorage = {
    current,
    async reopen() {
      storage = await harness.reopen(current());
      return storage;
    },
    readBack,
    read: (db, read) => readBack.read(current(), db, read),
    rows: async (db, read) => (await readBack.read(current(), db, read)).rows,
    assertNoMeasurement: (db, read, name) => readBack.assertNoMeasurement(current(), db, read, name),
    test(title, fn) {
      const departure = harness.departures?.cases?.[title];
      if (departure === undefined) {
        test(title, fn);
        return;
      }
      harness.departures!.matched.add(title);
      if (departure.instead === undefined) test(title, { skip: `declared absent: ${departure.reason}` }, () => {});
      else test(`${title} [differs: ${departure.reason}]`, () => departure.instead!(handle));
    },
  };
  return handle;
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
