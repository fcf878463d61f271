import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commitTogetherOrAlone, GroupCommitQueue } from '../../src/support/group-commit-queue.ts';

/** A queue over numbers that records each group it was given; odd numbers fail on their own. */
function recorder(options: { maxGroupWeight?: number; gatherTurn?: boolean } = {}) {
  const groups: number[][] = [];
  const queue = new GroupCommitQueue<number, string>({
    processGroup: async (items) => {
      groups.push(items);
      return items.map((item) =>
        item % 2 === 1
          ? { status: 'rejected', reason: new Error(`odd ${item}`) }
          : { status: 'fulfilled', value: `ok ${item}` },
      );
    },
    maxGroupWeight: options.maxGroupWeight ?? 100,
    gatherTurn: options.gatherTurn ?? false,
  });
  return { queue, groups };
}

const outcome = (s: PromiseSettledResult<string>) => (s.status === 'fulfilled' ? s.value : String(s.reason));

describe('GroupCommitQueue', () => {
  test('items submitted together form one group, and each gets its own result', async () => {
    const { queue, groups } = recorder();
    const settled = await Promise.allSettled([0, 1, 2].map((item) => queue.submit(item)));
    assert.deepEqual(settled.map(outcome), ['ok 0', 'Error: odd 1', 'ok 2']);
    assert.deepEqual(groups, [[0, 1, 2]]);
  });

  test('with gatherTurn, items submitted by later callbacks of the same turn of the event loop join the group', async () => {
    for (const gatherTurn of [false, true]) {
      const { queue, groups } = recorder({ gatherTurn });
      // Two callbacks of one phase of the event loop, as two requests read in one poll would be. Two
      // immediates queued together always run in one check phase; two 0 ms timers did not under load
      // (the clock could pass a millisecond between them, and they fired in separate phases).
      const submitLater = (item: number) =>
        new Promise<string>((resolve) => setImmediate(() => resolve(queue.submit(item))));
      await Promise.all([submitLater(0), submitLater(2)]);
      assert.deepEqual(groups, gatherTurn ? [[0, 2]] : [[0], [2]], `gatherTurn ${gatherTurn}`);
    }
  });

  test('no group weighs more than maxGroupWeight; what arrives meanwhile forms the next group', async () => {
    const { queue, groups } = recorder({ maxGroupWeight: 2 });
    const first = [0, 2, 4, 6, 8].map((item) => queue.submit(item));
    const late = new Promise<string>((resolve) => setImmediate(() => resolve(queue.submit(10))));
    assert.deepEqual(await Promise.all([...first, late]), ['ok 0', 'ok 2', 'ok 4', 'ok 6', 'ok 8', 'ok 10']);
    assert.ok(groups.every((items) => items.length <= 2));
    assert.deepEqual(groups.flat(), [0, 2, 4, 6, 8, 10]);
  });

  test('an exclusive task runs alone, between the groups before and after it', async () => {
    const { queue, groups } = recorder();
    const order: string[] = [];
    const a = queue.submit(0).then(() => order.push('group 0'));
    const x = queue.exclusive(async () => order.push(`exclusive after ${groups.length} group(s)`));
    const b = queue.submit(2).then(() => order.push('group 2'));
    await Promise.all([a, x, b]);
    assert.deepEqual(order, ['group 0', 'exclusive after 1 group(s)', 'group 2']);
    assert.deepEqual(groups, [[0], [2]]);
  });

  test('settled() resolves once everything submitted is processed', async () => {
    const { queue, groups } = recorder({ gatherTurn: true });
    assert.equal(await queue.settled(), undefined);
    const pending = [0, 2].map((item) => queue.submit(item));
    await queue.settled();
    assert.deepEqual(groups, [[0, 2]]);
    await Promise.all(pending);
  });
});

describe('commitTogetherOrAlone', () => {
  /** Commits numbers; an odd one fails its transaction, a negative one fails it for no item in particular. */
  function store() {
    const transactions: number[][] = [];
    const together = async (items: readonly number[]) => {
      transactions.push([...items]);
      if (items.some((item) => item < 0)) throw new Error('connection lost during COMMIT');
      const odd = items.find((item) => item % 2 === 1);
      if (odd !== undefined) throw new Error(`odd ${odd}`);
      return items.map((item) => `ok ${item}`);
    };
    const retryAlone = (error: unknown) => error instanceof Error && error.message.startsWith('odd');
    return { transactions, run: (items: number[]) => commitTogetherOrAlone(items, together, retryAlone) };
  }

  test('commits the items together when it can', async () => {
    const { transactions, run } = store();
    assert.deepEqual((await run([0, 2])).map(outcome), ['ok 0', 'ok 2']);
    assert.deepEqual(transactions, [[0, 2]]);
  });

  test('an error of one item: each is retried alone, and only that one fails, with its own error', async () => {
    const { transactions, run } = store();
    assert.deepEqual((await run([2, 3, 4])).map(outcome), ['ok 2', 'Error: odd 3', 'ok 4']);
    assert.deepEqual(transactions, [[2, 3, 4], [2], [3], [4]]);
  });

  test('an error of no one item fails them all as it is, without retries', async () => {
    const { transactions, run } = store();
    assert.deepEqual((await run([2, -2, 4])).map(outcome), Array(3).fill('Error: connection lost during COMMIT'));
    assert.deepEqual(transactions, [[2, -2, 4]]);
  });

  test('a lone item gets one transaction, without a retry', async () => {
    const { transactions, run } = store();
    assert.deepEqual((await run([3])).map(outcome), ['Error: odd 3']);
    assert.deepEqual(transactions, [[3]]);
  });
});
