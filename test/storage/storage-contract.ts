import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { atomicWriteContract } from './contract/atomic-writes.ts';
import { capabilitiesContract } from './contract/capabilities.ts';
import { unmatchedDepartures } from './contract/departures.ts';
import { durableWritesContract } from './contract/durable-writes.ts';
import type { StorageHarness } from './contract/harness.ts';
import { jsonLinesContract } from './contract/json-lines.ts';
import { lastWriteWinsContract } from './contract/last-write-wins.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { queryContract } from './contract/queries.ts';
import { schemaContract } from './contract/schema.ts';
import { valuesContract } from './contract/values.ts';

export { type Departures, declareDepartures } from './contract/departures.ts';
export type { ContractStorage, StorageHarness } from './contract/harness.ts';
export { influxqlReadBack, sqlReadBack } from './contract/read-back.ts';

const PARTS: ReadonlyArray<[string, (harness: StorageHarness) => void]> = [
  ['values', valuesContract],
  ['schema', schemaContract],
  ['last write wins', lastWriteWinsContract],
  ['atomic writes', atomicWriteContract],
  ['queries', queryContract],
  ['json lines', jsonLinesContract],
  ['lifecycle', lifecycleContract],
  ['capabilities', capabilitiesContract],
  ['durable writes', durableWritesContract],
];

/**
 * Registers the Storage contract: the behaviour every adapter of the port must show, expressed
 * through the port alone (line protocol in, the adapter's read-back out: plain SELECTs in SQL, or
 * the same questions in InfluxQL). Call it inside a `describe`; `harness` is called once per part,
 * each with its own data, so the parts share no state. A part or case the harness declares a
 * departure from is reported with its reason, and every declared departure must name a real case.
 */
export function storageContract(harness: () => StorageHarness): void {
  let departures: StorageHarness['departures'];
  for (const [name, part] of PARTS) {
    const each = harness();
    departures ??= each.departures;
    const absent = each.departures?.parts[name];
    if (absent !== undefined) {
      each.departures!.matched.add(name);
      describe(name, () => test(`the ${name} part`, { skip: `declared absent: ${absent}` }, () => {}));
      continue;
    }
    describe(name, () => part(each));
  }
  if (departures !== undefined) {
    const declared = departures;
    test('every declared departure names a part or case of the contract', () => {
      assert.deepEqual(unmatchedDepartures(declared), []);
    });
  }
}
