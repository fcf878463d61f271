import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeOfStatus, RequestOutcomes } from '../../src/services/request-outcomes.ts';

const T0 = Date.UTC(2030, 0, 1, 10, 0, 0);

test('statuses fall into the outcomes the Overview charts', () => {
  assert.deepEqual([200, 204, 304, 400, 401, 403, 404, 429, 500].map(outcomeOfStatus), [
    'ok',
    'ok',
    'ok',
    'other',
    'unauthorized',
    'forbidden',
    'other',
    'throttled',
    'other',
  ]);
});

test('requests are counted in the minute they end, for the last hour only', () => {
  let now = T0;
  const outcomes = new RequestOutcomes(() => now);
  outcomes.record(204);
  outcomes.record(204);
  outcomes.record(401);
  now = T0 + 61_000;
  outcomes.record(403);
  outcomes.record(429);
  const hour = outcomes.lastHour();
  assert.equal(hour.length, 60);
  assert.equal(hour[59]?.start, T0 + 60_000);
  assert.deepEqual(hour[58], { start: T0, ok: 2, unauthorized: 1, forbidden: 0, throttled: 0, other: 0 });
  assert.deepEqual(hour[59], { start: T0 + 60_000, ok: 0, unauthorized: 0, forbidden: 1, throttled: 1, other: 0 });

  now = T0 + 60 * 60_000;
  assert.equal(outcomes.lastHour()[0]?.start, T0 + 60_000, 'the minute of T0 has left the window');
  assert.equal(outcomes.lastHour()[0]?.forbidden, 1);
  now = T0 + 61 * 60_000;
  assert.ok(outcomes.lastHour().every((m) => m.ok + m.forbidden + m.throttled + m.unauthorized === 0));
});

test('a bucket reused an hour later starts from zero', () => {
  let now = T0;
  const outcomes = new RequestOutcomes(() => now);
  outcomes.record(200);
  now = T0 + 60 * 60_000;
  outcomes.record(401);
  const last = outcomes.lastHour().at(-1);
  assert.deepEqual(last, { start: now, ok: 0, unauthorized: 1, forbidden: 0, throttled: 0, other: 0 });
});
