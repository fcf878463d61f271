/**
 * `fluxgate audit list|verify` end to end against a real `fluxgate serve`: what a Member's management
 * token did and was refused is in the log under its name, newest first, without secrets; an Auditor
 * may read and verify it; `verify` exits 1 and names the entry edited in the real catalog file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { assertNoSecrets, fails, ok } from '../cli/cli-assertions.ts';
import { type InfluxctlRun, secretOf, startInfluxctlRun } from './influxctl-cli.ts';

interface Entry {
  seq: number;
  actorName?: string;
  action: string;
  outcome: string;
  targetName?: string;
}

describe('fluxgate audit … against a real server', () => {
  let run: InfluxctlRun;
  let bot = '';
  before(async () => {
    run = await startInfluxctlRun();
    const out = ok(
      await run.cli(['management', 'create', '--description', 'deploy bot', '--role', 'member']),
      'management create',
    );
    bot = secretOf(out, 'fgm_');
    run.secrets.add(bot);
    ok(await run.cli(['create', 'database', 'sensors']), 'create database (operator)');
    // A Member may create database tokens: an `ok` entry under the bot's name.
    run.secrets.add(
      secretOf(
        ok(await run.cli(['token', 'create', 'reader', '--read-database', 'sensors'], bot), 'token create'),
        'fgd_',
      ),
    );
  });
  after(() => run?.dispose());

  test('list --actor --since --format json finds what the deploy bot did, newest first, without secrets', async () => {
    fails(await run.cli(['management', 'create', '--description', 'x', '--role', 'admin'], bot), 'refused', /403/);
    const out = ok(
      await run.cli(['audit', 'list', '--since', '24h', '--actor', 'deploy-bot', '--format', 'json']),
      'audit list',
    );
    const entries = JSON.parse(out) as Entry[];
    assert.ok(entries.length >= 1);
    assert.ok(entries.every((e) => e.actorName === 'deploy-bot'));
    assert.ok(entries.some((e) => e.outcome === 'denied' && e.action.startsWith('management_token.')));
    assert.ok(entries.some((e) => e.outcome === 'ok' && e.action === 'database_token.create'));
    const seqs = entries.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
      'newest first',
    );
    assertNoSecrets(out, run.secrets, 'audit list');
    const limited = JSON.parse(
      ok(await run.cli(['audit', 'list', '--limit', '1', '--format', 'json']), 'limit'),
    ) as Entry[];
    assert.equal(limited.length, 1);
  });

  test('verify on an untouched chain exits 0', async () => {
    assert.match(ok(await run.cli(['audit', 'verify']), 'audit verify'), /^ok: \d+ entries verified/);
  });

  test('an Auditor may read the log', async () => {
    const auditor = secretOf(
      ok(await run.cli(['management', 'create', '--description', 'auditor', '--role', 'auditor']), 'create auditor'),
      'fgm_',
    );
    run.secrets.add(auditor);
    ok(await run.cli(['audit', 'list'], auditor), 'audit list as an Auditor');
    ok(await run.cli(['audit', 'verify'], auditor), 'audit verify as an Auditor');
  });

  test('verify exits 1 and names the entry edited, then the one removed, in the real catalog file', async () => {
    const created = JSON.parse(
      ok(await run.cli(['audit', 'list', '--action', 'database.create', '--format', 'json']), 'audit list'),
    ) as (Entry & { id: string })[];
    const target = created[0];
    assert.ok(target, 'no database.create entry');
    const file = new Database(join(run.server.dataDir, 'catalog.sqlite'));
    try {
      file.prepare(`update audit_log set target_name = 'elsewhere' where id = ?`).run(Number(target.id));
    } finally {
      file.close();
    }
    const edited = await run.cli(['audit', 'verify']);
    assert.equal(edited.code, 1, edited.stdout + edited.stderr);
    assert.match(edited.stderr, new RegExp(`entry ${target.id} \\(seq ${target.seq}, edited\\)`));

    const restore = new Database(join(run.server.dataDir, 'catalog.sqlite'));
    try {
      restore.prepare(`update audit_log set target_name = 'sensors' where id = ?`).run(Number(target.id));
      assert.match(ok(await run.cli(['audit', 'verify']), 'verify after restoring'), /^ok: /);
      restore.prepare('delete from audit_log where seq = ?').run(target.seq + 1);
    } finally {
      restore.close();
    }
    const removed = JSON.parse((await run.cli(['audit', 'verify', '--format', 'json'])).stdout) as {
      ok: boolean;
      problem?: { kind: string; seq: number };
    };
    assert.equal(removed.ok, false);
    assert.equal(removed.problem?.kind, 'removed');
  });
});
