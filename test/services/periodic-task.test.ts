import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeriodicTask } from '../../src/services/periodic-task.ts';

/** A job whose runs end only when the test says so, recording when each starts and ends. */
function gatedJob() {
  const events: string[] = [];
  const gates: Array<() => void> = [];
  let runs = 0;
  const job = async () => {
    const run = ++runs;
    events.push(`start ${run}`);
    await new Promise<void>((resolve) => gates.push(resolve));
    events.push(`end ${run}`);
    return run;
  };
  /** Waits until a run has started and lets the oldest waiting one end. */
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
  };
  return { job, events, release };
}

test('a periodic task runs one at a time: a run asked for during another starts after it ends', async () => {
  const { job, events, release } = gatedJob();
  const task = new PeriodicTask(job);
  const first = task.run();
  const second = task.run();
  await release();
  assert.equal(await first, 1);
  await release();
  assert.equal(await second, 2);
  assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2'], 'the second started only once the first ended');
});

test('start runs at once only when told to, and stop waits for the run under way', async () => {
  const idle = gatedJob();
  const later = new PeriodicTask(idle.job);
  later.start(3_600_000, { immediately: false });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(idle.events, [], 'no run before the first interval');
  await later.stop();

  const { job, events, release } = gatedJob();
  const task = new PeriodicTask(job);
  task.start(3_600_000, { immediately: true });
  let stopped = false;
  const stopping = task.stop().then(() => {
    stopped = true;
  });
  await release();
  await stopping;
  assert.equal(stopped, true);
  assert.deepEqual(events, ['start 1', 'end 1'], 'stop resolved after the immediate run ended, and nothing ran after');
});
