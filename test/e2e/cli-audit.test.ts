/**
 * `fluxgate audit list|verify` end to end against a real `fluxgate serve`: what a Member's management
 * token did and was refused is in the log under its name, newest first, without secrets; an Auditor
 * may read and verify it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
});
