import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from '../../src/catalog/group-commit.ts';

/**
 * A GroupCommit over numbers that records each transaction it was asked for; odd numbers fail, and
 * a batch holding a negative number fails as a whole with an error that is nobody's in particular.
 */
function recorder(maxBatch = 100) {
  const transactions: number[][] = [];
  const refuseOdd = (item: number) => {
    if (item % 2 === 1) throw new Error(`odd ${item}`);
    return `ok ${item}`;
  };
  const group = new GroupCommit<number, string>({
    async one(item) {
      transactions.push([item]);
      return refuseOdd(item);
    },
    async many(items) {
      transactions.push(items);
      if (items.some((item) => item < 0)) throw new Error('connection lost during COMMIT');
      return items.map(refuseOdd);
    },
    maxBatch,
    retryAlone: (error) => error instanceof Error && error.message.startsWith('odd'),
  });
  return { group, transactions };
}

describe('GroupCommit', () => {
  test('items submitted in the same turn share one transaction and each gets its own result', async () => {
    const { group, transactions } = recorder();
    const results = await Promise.all([0, 2, 4, 6].map((item) => group.submit(item)));
    assert.deepEqual(results, ['ok 0', 'ok 2', 'ok 4', 'ok 6']);
    assert.deepEqual(transactions, [[0, 2, 4, 6]]);
  });

  test('a lone item gets a transaction of its own, without a retry', async () => {
    const { group, transactions } = recorder();
    await assert.rejects(group.submit(3), /^Error: odd 3$/);
    assert.deepEqual(transactions, [[3]]);
  });

  test('when a batch fails, each item is retried alone: only the failing one fails, with its own error', async () => {
    const { group, transactions } = recorder();
    const settled = await Promise.allSettled([2, 3, 4].map((item) => group.submit(item)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason))),
      ['ok 2', 'Error: odd 3', 'ok 4'],
    );
    assert.deepEqual(transactions, [[2, 3, 4], [2], [3], [4]]);
  });

  test('a batch failing for a reason of no one item fails as a whole, without retries', async () => {
    const { group, transactions } = recorder();
    const settled = await Promise.allSettled([2, -2, 4].map((item) => group.submit(item)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason))),
      Array(3).fill('Error: connection lost during COMMIT'),
    );
    assert.deepEqual(transactions, [[2, -2, 4]]);
  });

  test('no transaction takes more than maxBatch items; items arriving meanwhile form the next batch', async () => {
    const { group, transactions } = recorder(2);
    const first = [0, 2, 4, 6, 8].map((item) => group.submit(item));
    const late = new Promise<string>((resolve) => setImmediate(() => resolve(group.submit(10))));
    assert.deepEqual(await Promise.all([...first, late]), ['ok 0', 'ok 2', 'ok 4', 'ok 6', 'ok 8', 'ok 10']);
    assert.ok(transactions.every((items) => items.length <= 2));
    assert.deepEqual(transactions.flat(), [0, 2, 4, 6, 8, 10]);
  });

  test('settled() resolves once everything submitted is committed', async () => {
    const { group, transactions } = recorder();
    assert.equal(await group.settled(), undefined);
    const pending = [0, 2].map((item) => group.submit(item));
    await group.settled();
    assert.deepEqual(transactions, [[0, 2]]);
    await Promise.all(pending);
  });
});
