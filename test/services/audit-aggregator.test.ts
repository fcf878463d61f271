import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry, AuditRecord } from '../../src/catalog/catalog.ts';
import { openCatalog } from '../../src/catalog/open-catalog.ts';
import {
  AggregatingAttemptLog,
  AUDIT_AGGREGATION_DEFAULTS,
  authenticationFailure,
} from '../../src/services/audit-aggregator.ts';

const T0 = 1_800_000_000_000;

function denied(at: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at,
    actorTokenId: 9,
    actorName: 'reader',
    actorKind: 'database',
    action: 'database_token.create',
    targetKind: 'token',
    targetId: null,
    targetName: null,
    outcome: 'denied',
    sourceIp: '10.0.0.7',
    details: { code: 'PERMISSION_DENIED', reason: 'database tokens are for data only' },
    ...overrides,
  };
}

async function withLog(
  options: Partial<typeof AUDIT_AGGREGATION_DEFAULTS>,
  work: (log: AggregatingAttemptLog, clock: { now: number }, rows: () => Promise<AuditRecord[]>) => Promise<void>,
) {
  const catalog = await openCatalog({ kind: 'sqlite', file: ':memory:' });
  const clock = { now: T0 };
  const log = new AggregatingAttemptLog(
    (entry) => catalog.appendAudit(entry),
    { ...AUDIT_AGGREGATION_DEFAULTS, ...options, now: () => clock.now },
    (error) => assert.fail(String(error)),
  );
  try {
    await work(log, clock, async () => (await catalog.listAudit({ limit: 100_000 })).reverse());
    assert.equal((await catalog.verifyAudit()).ok, true);
  } finally {
    await log.stop();
    await catalog.close();
  }
}

const total = (rows: AuditRecord[]) => rows.reduce((sum, row) => sum + row.count, 0);

test('18,000 refused calls in 10 s are two entries, and every one is counted', async () => {
  await withLog({}, async (log, clock, rows) => {
    for (let i = 0; i < 18_000; i++) {
      clock.now = T0 + Math.floor(i / 1.8);
      await log.recordAttempt(denied(clock.now));
    }
    const first = await rows();
    assert.equal(first.length, 1, 'the first refusal is written at once');
    assert.equal(first[0]?.count, 1);
    // Nothing more until the minute is over …
    await log.flushDue(T0 + 59_000);
    assert.equal((await rows()).length, 1);
    // … then the repeats are one entry with their count and first and last time.
    await log.flushDue(T0 + 60_000);
    const all = await rows();
    assert.equal(all.length, 2);
    const aggregate = all[1] as AuditRecord;
    assert.equal(aggregate.count, 17_999);
    assert.equal(aggregate.firstAt, T0);
    assert.equal(aggregate.lastAt, T0 + 9_999);
    assert.equal(aggregate.at, aggregate.lastAt);
    assert.equal(aggregate.action, 'database_token.create');
    assert.equal(aggregate.outcome, 'denied');
    assert.equal(total(all), 18_000);
    // A refusal after the window is written at once again.
    clock.now = T0 + 61_000;
    await log.recordAttempt(denied(clock.now));
    assert.equal((await rows()).length, 3);
  });
});

test('refusals are kept apart per actor, action, source and outcome', async () => {
  await withLog({}, async (log, clock, rows) => {
    const variants: Partial<AuditEntry>[] = [
      {},
      { actorTokenId: 10, actorName: 'other' },
      { action: 'database.create', targetKind: 'database' },
      { sourceIp: '10.0.0.8' },
      { outcome: 'failed' },
    ];
    for (let round = 0; round < 3; round++)
      for (const variant of variants) await log.recordAttempt(denied(clock.now + round, variant));
    await log.flushAll();
    const all = await rows();
    assert.equal(all.length, 10, 'each key: its first entry and one aggregate');
    assert.equal(total(all), 15);
  });
});

test('failed authentications are aggregated per source and reason, with no token in them', async () => {
  await withLog({}, async (log, _clock, rows) => {
    for (let i = 0; i < 50; i++) await log.recordAttempt(authenticationFailure('unknown', '10.1.1.1', T0 + i));
    for (let i = 0; i < 5; i++) await log.recordAttempt(authenticationFailure('revoked', '10.1.1.1', T0 + i));
    for (let i = 0; i < 5; i++) await log.recordAttempt(authenticationFailure('unknown', '10.1.1.2', T0 + i));
    await log.flushAll();
    const all = await rows();
    assert.equal(all.length, 6);
    assert.equal(total(all), 60);
    assert.ok(all.every((r) => r.action === 'authentication.failed' && r.outcome === 'failed'));
    const unknown = all.filter((r) => r.sourceIp === '10.1.1.1' && r.details.reason === 'unknown');
    assert.deepEqual(
      unknown.map((r) => r.count),
      [1, 49],
    );
  });
});

test('memory stays bounded: past maxKeys the oldest window is written out early, nothing lost', async () => {
  await withLog({ maxKeys: 100, immediatePerSecond: 1_000_000 }, async (log, clock, rows) => {
    for (let i = 0; i < 1_000; i++) {
      const sourceIp = `10.2.${Math.floor(i / 250)}.${i % 250}`;
      await log.recordAttempt(denied(clock.now, { sourceIp }));
      await log.recordAttempt(denied(clock.now, { sourceIp }));
      assert.ok(log.size <= 100);
    }
    await log.flushAll();
    assert.equal(log.size, 0);
    assert.equal(total(await rows()), 2_000);
  });
});

test('a burst of new keys is rate-limited: past the budget the first ones wait in their window', async () => {
  await withLog({ immediatePerSecond: 20 }, async (log, clock, rows) => {
    for (let i = 0; i < 500; i++)
      await log.recordAttempt(denied(clock.now, { sourceIp: `10.3.0.${i % 250}`, actorTokenId: i }));
    assert.equal((await rows()).length, 20);
    await log.flushAll();
    const all = await rows();
    assert.equal(total(all), 500);
    assert.equal(all.length, 500);
  });
});
