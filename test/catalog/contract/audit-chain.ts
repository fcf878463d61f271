import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/catalog/catalog.ts';
import { audit, type ContractContext, newToken, type Row, uniqueHash } from './fixtures.ts';

const AT = 1_700_000_500_000;
const COLUMNS = [
  'id',
  'at',
  'actor_token_id',
  'actor_name',
  'action',
  'target_kind',
  'target_id',
  'target_name',
  'outcome',
  'source_ip',
  'details',
  'seq',
  'prev_hash',
  'hash',
  'actor_kind',
  'request_id',
  'count',
  'first_at',
  'last_at',
] as const;

/** A SQL literal of a value read back from the store. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** Puts a row back as it was, id included (PostgreSQL's identity column must be told). */
function insertStatement(row: Row, dialect: 'sqlite' | 'postgres'): string {
  const override = dialect === 'postgres' ? ' overriding system value' : '';
  return `insert into audit_log (${COLUMNS.join(', ')})${override} values (${COLUMNS.map((c) => literal(row[c])).join(', ')})`;
}

/**
 * The hash chain, tampered with directly in the real SQLite file or PostgreSQL table: every test puts
 * the rows back as they were, so the suite's shared store stays verifiable.
 */
export function auditChainContract(ctx: ContractContext): void {
  const rowAt = async (seq: number): Promise<Row> => {
    const [row] = await ctx.harness.query(`select * from audit_log where seq = ${seq}`);
    assert.ok(row, `no audit row at seq ${seq}`);
    return row;
  };
  /** Appends `n` entries and returns them, oldest first. */
  const appendSome = async (n: number): Promise<AuditRecord[]> => {
    for (let i = 0; i < n; i++)
      await ctx.catalog.appendAudit(audit({ at: AT + i, action: 'chain.test', details: { i, nested: { b: [1, 2] } } }));
    return (await ctx.catalog.listAudit({ limit: n })).reverse();
  };

  test('every entry holds the hash of the one before it, in seq order, and the chain verifies', async () => {
    await ctx.catalog.createToken(newToken(), uniqueHash(), audit({ action: 'token.create' }));
    const entries = await appendSome(3);
    const [first, second, third] = entries as [AuditRecord, AuditRecord, AuditRecord];
    assert.equal(second.seq, first.seq + 1);
    assert.equal(third.seq, second.seq + 1);
    assert.equal(second.prevHash, first.hash);
    assert.equal(third.prevHash, second.hash);
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    assert.equal(first.count, 1);
    assert.equal(first.firstAt, first.at);
    const report = await ctx.catalog.verifyAudit();
    assert.equal(report.ok, true, JSON.stringify(report.problem));
    assert.equal(report.problem, undefined);
    assert.deepEqual(report.head, { seq: third.seq, hash: third.hash });
    assert.ok(report.checked >= 4);
  });

  test('concurrent appends never fork the chain: seqs are contiguous and each links to the one before', async () => {
    const before = (await ctx.catalog.listAudit({ limit: 1 }))[0]?.seq ?? 0;
    const other = await ctx.harness.open();
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const catalog = i % 2 ? ctx.catalog : other;
          return i % 4 < 2
            ? catalog.appendAudit(audit({ action: 'chain.concurrent', details: { i } }))
            : catalog.createToken(newToken(), uniqueHash(), audit({ action: 'token.create', details: { i } }));
        }),
      );
    } finally {
      await other.close();
    }
    const rows = (await ctx.catalog.listAudit({ limit: 41 })).reverse();
    const added = rows.filter((r) => r.seq > before);
    assert.equal(added.length, 40);
    for (let i = 1; i < rows.length; i++) {
      assert.equal((rows[i] as AuditRecord).seq, (rows[i - 1] as AuditRecord).seq + 1);
      assert.equal((rows[i] as AuditRecord).prevHash, (rows[i - 1] as AuditRecord).hash);
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('an entry edited in the store is named, as edited', async () => {
    const [, target] = await appendSome(3);
    const original = await rowAt((target as AuditRecord).seq);
    await ctx.harness.query(`update audit_log set actor_name = 'mallory' where seq = ${target?.seq}`);
    try {
      const report = await ctx.catalog.verifyAudit();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'edited');
      assert.equal(report.problem?.seq, target?.seq);
      assert.equal(report.problem?.id, String(target?.id));
      assert.match(report.problem?.message ?? '', /edited/);
    } finally {
      await ctx.harness.query(
        `update audit_log set actor_name = ${literal(original.actor_name)} where seq = ${target?.seq}`,
      );
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);

    // The details text, and a hash rewritten alone, are covered too.
    await ctx.harness.query(`update audit_log set details = '{"i":99}' where seq = ${target?.seq}`);
    assert.equal((await ctx.catalog.verifyAudit()).problem?.kind, 'edited');
    await ctx.harness.query(`update audit_log set details = ${literal(original.details)} where seq = ${target?.seq}`);
    await ctx.harness.query(`update audit_log set hash = '${'a'.repeat(64)}' where seq = ${target?.seq}`);
    assert.equal((await ctx.catalog.verifyAudit()).problem?.seq, target?.seq);
    await ctx.harness.query(`update audit_log set hash = ${literal(original.hash)} where seq = ${target?.seq}`);
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('an entry deleted from the store is found: the one after the gap is named, as removed', async () => {
    const [, victim, after] = await appendSome(3);
    const original = await rowAt((victim as AuditRecord).seq);
    await ctx.harness.query(`delete from audit_log where seq = ${victim?.seq}`);
    try {
      const report = await ctx.catalog.verifyAudit();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'removed');
      assert.equal(report.problem?.seq, after?.seq);
      assert.match(report.problem?.message ?? '', new RegExp(`seq ${victim?.seq}`));
    } finally {
      await ctx.harness.query(insertStatement(original, ctx.catalog.dialect));
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('two entries swapped in the store are found, as reordered', async () => {
    const [, a, b] = await appendSome(4);
    const seqA = (a as AuditRecord).seq;
    const seqB = (b as AuditRecord).seq;
    const swap = async () => {
      await ctx.harness.query(`update audit_log set seq = -1 where seq = ${seqA}`);
      await ctx.harness.query(`update audit_log set seq = ${seqA} where seq = ${seqB}`);
      await ctx.harness.query(`update audit_log set seq = ${seqB} where seq = -1`);
    };
    await swap();
    try {
      const report = await ctx.catalog.verifyAudit();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'reordered');
      assert.equal(report.problem?.id, String(a?.id));
      assert.match(report.problem?.message ?? '', /out of order/);
    } finally {
      await swap();
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('the newest entries deleted from the store are found, as truncated', async () => {
    const entries = await appendSome(2);
    const newest = entries[1] as AuditRecord;
    const original = await rowAt(newest.seq);
    await ctx.harness.query(`delete from audit_log where seq = ${newest.seq}`);
    try {
      const report = await ctx.catalog.verifyAudit();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'truncated');
      assert.equal(report.problem?.seq, newest.seq);
      assert.deepEqual(report.head, { seq: newest.seq, hash: newest.hash });
    } finally {
      await ctx.harness.query(insertStatement(original, ctx.catalog.dialect));
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('pruning keeps the chain verifiable from its anchor, and an edit after it is still caught', async () => {
    const before = await ctx.catalog.verifyAudit();
    assert.equal(before.ok, true);
    const cutoff = Date.now() + 60_000;
    const old = await appendSome(2);
    await ctx.catalog.appendAudit(audit({ at: cutoff + 1, action: 'chain.kept' }));
    await ctx.catalog.appendAudit(audit({ at: cutoff + 2, action: 'chain.kept' }));
    const kept = (await ctx.catalog.listAudit({ limit: 2 })).reverse();
    const { pruned, anchor } = await ctx.catalog.pruneAudit(cutoff);
    assert.ok(pruned >= 2);
    const lastOld = old[1] as AuditRecord;
    assert.deepEqual(anchor, { seq: lastOld.seq, hash: lastOld.hash });
    assert.deepEqual(
      (await ctx.catalog.listAudit({ limit: 10 })).map((r) => r.action),
      ['chain.kept', 'chain.kept'],
    );
    const report = await ctx.catalog.verifyAudit();
    assert.equal(report.ok, true, JSON.stringify(report.problem));
    assert.equal(report.checked, 2);
    assert.deepEqual(report.anchor, anchor);
    // Nothing newer than the cutoff goes, and a second prune finds nothing more.
    assert.deepEqual(await ctx.catalog.pruneAudit(cutoff), { pruned: 0, anchor });

    const first = kept[0] as AuditRecord;
    await ctx.harness.query(`update audit_log set outcome = 'denied' where seq = ${first.seq}`);
    try {
      const broken = await ctx.catalog.verifyAudit();
      assert.equal(broken.problem?.kind, 'edited');
      assert.equal(broken.problem?.seq, first.seq);
    } finally {
      await ctx.harness.query(`update audit_log set outcome = 'ok' where seq = ${first.seq}`);
    }
    // Deleting the first entry after the anchor is a removal, too.
    const original = await rowAt(first.seq);
    await ctx.harness.query(`delete from audit_log where seq = ${first.seq}`);
    try {
      assert.equal((await ctx.catalog.verifyAudit()).problem?.kind, 'removed');
    } finally {
      await ctx.harness.query(insertStatement(original, ctx.catalog.dialect));
    }
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
    // Appends carry on from the head after a prune.
    await ctx.catalog.appendAudit(audit({ action: 'chain.after-prune' }));
    assert.equal((await ctx.catalog.verifyAudit()).ok, true);
  });

  test('listAudit filters by time, actor id or name, action or prefix, and outcome, newest first', async () => {
    const base = Date.now() + 120_000;
    const mark = `f${base}`;
    await ctx.catalog.appendAudit(
      audit({ at: base, actorTokenId: 77, actorName: mark, action: 'database_token.create' }),
    );
    await ctx.catalog.appendAudit(
      audit({
        at: base + 10,
        actorTokenId: 78,
        actorName: `${mark}-b`,
        action: 'database_token.revoke',
        outcome: 'denied',
      }),
    );
    await ctx.catalog.appendAudit(
      audit({ at: base + 20, actorTokenId: 77, actorName: mark, action: 'databaseXtoken.create' }),
    );
    const actions = (rows: AuditRecord[]) => rows.map((r) => r.action);
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 10, actor: mark })), [
      'databaseXtoken.create',
      'database_token.create',
    ]);
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 10, actor: '78' })), ['database_token.revoke']);
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 10, since: base, action: 'database_token.*' })), [
      'database_token.revoke',
      'database_token.create',
    ]);
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 10, since: base, outcome: 'denied' })), [
      'database_token.revoke',
    ]);
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 10, since: base + 5, until: base + 15 })), [
      'database_token.revoke',
    ]);
    const [newest] = await ctx.catalog.listAudit({ limit: 1, since: base });
    assert.deepEqual(actions(await ctx.catalog.listAudit({ limit: 1, since: base, beforeSeq: newest?.seq })), [
      'database_token.revoke',
    ]);
  });

  test('a token string or a token hash in details never reaches the store', async () => {
    const secret = `fgd_${'A1b2C3d4'.repeat(6)}`;
    const hash = 'ab'.repeat(64);
    await ctx.catalog.appendAudit(audit({ action: 'chain.secret', details: { note: `got ${secret}`, hash } }));
    const rows = await ctx.harness.query(`select details from audit_log where action = 'chain.secret'`);
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(secret));
    assert.ok(!stored.includes(hash));
    assert.match(stored, /redacted/);
  });

  test('verify during concurrent appends and a prune never reports a problem that is not there', async () => {
    const cutoff = Date.now() + 300_000;
    for (let i = 0; i < 20; i++) await ctx.catalog.appendAudit(audit({ at: cutoff - 1000 + i, action: 'chain.old' }));
    const other = await ctx.harness.open();
    try {
      const [reports] = await Promise.all([
        Promise.all(Array.from({ length: 6 }, () => other.verifyAudit())),
        Promise.all(
          Array.from({ length: 20 }, (_, i) => ctx.catalog.appendAudit(audit({ at: cutoff + i, action: 'chain.new' }))),
        ),
        ctx.catalog.pruneAudit(cutoff),
      ]);
      for (const report of reports) assert.equal(report.ok, true, JSON.stringify(report.problem));
    } finally {
      await other.close();
    }
    const report = await ctx.catalog.verifyAudit();
    assert.equal(report.ok, true, JSON.stringify(report.problem));
  });
}
