import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isFluxgateError } from '../../../src/domain/errors.ts';
import { ReadBarrier } from '../../../src/storage/duckdb/read-barrier.ts';

/** Whether a promise has settled after the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('ReadBarrier', () => {
  test('a waiter is released once its record is applied, not before; one for a later record keeps waiting', async () => {
    const barrier = new ReadBarrier(10_000);
    const first = barrier.wait(3n, undefined, () => undefined);
    const later = barrier.wait(5n, undefined, () => undefined);
    assert.equal(barrier.waiting, true);
    barrier.settle(2n, 5n);
    assert.equal(await settled(first), false);
    barrier.settle(3n, 5n);
    assert.equal(await settled(first), true);
    assert.equal(await settled(later), false);
    barrier.settle(5n, 5n);
    await later;
    assert.equal(barrier.waiting, false);
  });

  test('a waiter for a record no longer acknowledged (a failed sync took the answer back) is released', async () => {
    const barrier = new ReadBarrier(10_000);
    const waiting = barrier.wait(7n, undefined, () => undefined);
    barrier.settle(4n, 6n);
    await waiting;
    assert.equal(barrier.waiting, false);
  });

  test('past the timeout: STORAGE_BEHIND naming the wait and why the apply is behind', async () => {
    const barrier = new ReadBarrier(20);
    await assert.rejects(
      barrier.wait(1n, undefined, () => new Error('disk full')),
      (error: unknown) =>
        isFluxgateError(error) && error.code === 'STORAGE_BEHIND' && /within 20 ms: disk full$/.test(error.message),
    );
    assert.equal(barrier.waiting, false);
  });

  test("an aborted signal ends the wait with the signal's reason, before or during it", async () => {
    const barrier = new ReadBarrier(10_000);
    const before = new AbortController();
    before.abort(new Error('client left early'));
    await assert.rejects(
      barrier.wait(1n, before.signal, () => undefined),
      /client left early/,
    );
    const during = new AbortController();
    const waiting = barrier.wait(1n, during.signal, () => undefined);
    during.abort(new Error('client left'));
    await assert.rejects(waiting, /client left/);
    assert.equal(barrier.waiting, false);
  });

  test('releaseAll releases every waiter whatever it waits for', async () => {
    const barrier = new ReadBarrier(10_000);
    const waits = [barrier.wait(1n, undefined, () => undefined), barrier.wait(9n, undefined, () => undefined)];
    barrier.releaseAll();
    await Promise.all(waits);
    assert.equal(barrier.waiting, false);
  });
});
