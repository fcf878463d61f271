import { describe } from 'node:test';
import { atomicWriteContract } from './contract/atomic-writes.ts';
import { capabilitiesContract } from './contract/capabilities.ts';
import { durableWritesContract } from './contract/durable-writes.ts';
import type { StorageHarness } from './contract/harness.ts';
import { lastWriteWinsContract } from './contract/last-write-wins.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { queryContract } from './contract/queries.ts';
import { schemaContract } from './contract/schema.ts';
import { valuesContract } from './contract/values.ts';

export type { StorageHarness } from './contract/harness.ts';

/**
 * Registers the Storage contract: the behaviour every adapter of the port must show, expressed
 * through the port alone (line protocol in, plain SELECTs out). Call it inside a `describe`;
 * `harness` is called once per capability, each with its own data, so the capabilities share no state.
 */
export function storageContract(harness: () => StorageHarness): void {
  describe('values', () => valuesContract(harness()));
  describe('schema', () => schemaContract(harness()));
  describe('last write wins', () => lastWriteWinsContract(harness()));
  describe('atomic writes', () => atomicWriteContract(harness()));
  describe('queries', () => queryContract(harness()));
  describe('lifecycle', () => lifecycleContract(harness()));
  describe('capabilities', () => capabilitiesContract(harness()));
  describe('durable writes', () => durableWritesContract(harness()));
}
