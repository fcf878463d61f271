import fs from 'node:fs';
import { describe } from 'node:test';
import { DuckDbStorage } from '../../src/storage/duckdb/duckdb-storage.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { tempDir } from './duckdb/helpers.ts';
import { declareDepartures, type StorageHarness, storageContract } from './storage-contract.ts';

/** The embedded engine gives rows, which the faces encode: it has no answer of its own to pass on. */
const DUCKDB_DEPARTURES = declareDepartures({
  parts: { 'json lines': 'the embedded engine gives rows, which the faces encode themselves' },
});

/** One data directory per capability, so the suites share no state. */
function duckDbHarness(): StorageHarness {
  const dir = tempDir();
  return {
    open: async () => new DuckDbStorage(dir),
    async reopen(storage: Storage) {
      await storage.close();
      return new DuckDbStorage(dir);
    },
    async cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
    departures: DUCKDB_DEPARTURES,
  };
}

describe('DuckDB storage contract', () => {
  storageContract(duckDbHarness);
});
