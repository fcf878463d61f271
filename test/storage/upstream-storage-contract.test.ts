/**
 * The storage contract against the InfluxDB 3 API upstream adapter, in front of a real storage node:
 * a plain `fluxgate serve` (its own SQLite catalog, DuckDB data) called with its admin token. The
 * capabilities the adapter declares absent (Parquet, virtual tables, retention, disk usage) are
 * checked to be refused with STORAGE_CAPABILITY_ABSENT instead.
 */
import { after, before, describe } from 'node:test';
import { UpstreamStorage } from '../../src/storage/upstream/upstream-storage.ts';
import { bootstrap } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { type StorageHarness, storageContract } from './storage-contract.ts';

describe('InfluxDB 3 upstream storage contract (a fluxgate storage node)', () => {
  let node: ServerProcess | undefined;
  let target = { url: '', token: '' };
  before(async () => {
    node = await startServerProcess({ args: ['--log-level', 'warn', '--query-max-result', 'unlimited'] });
    target = { url: node.url, token: await bootstrap(node.url) };
  });
  after(async () => {
    await node?.dispose();
  });

  const harness = (): StorageHarness => ({
    open: async () => new UpstreamStorage(target, { queryTimeoutMs: 60_000 }),
    async reopen(storage) {
      await storage.close();
      return new UpstreamStorage(target, { queryTimeoutMs: 60_000 });
    },
    async cleanup() {},
  });
  storageContract(harness);
});
