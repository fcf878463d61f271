/**
 * `fluxgate management create|list|revoke|rotate` end to end against a real `fluxgate serve`: the
 * secret printed once works, roles hold, rotation keeps the old secret for its grace, a revoked token
 * gets 401 on its next request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoSecrets, fails, ok } from '../cli/cli-assertions.ts';
import { call } from '../helpers/http.ts';
import { type InfluxctlRun, inDays, secretOf, startInfluxctlRun } from './influxctl-cli.ts';

interface ManagementToken {
  id: string;
  description: string;
  role: string;
  status: string;
  expiresAt?: string;
  revokedAt?: string;
  accessToken?: string;
}

describe('fluxgate management … against a real server', () => {
  let run: InfluxctlRun;
  let ci = { id: '', secret: '' };
  let bot = { id: '', secret: '' };
  before(async () => {
    run = await startInfluxctlRun();
  });
  after(() => run?.dispose());

  test('create --expires-at prints the table and the secret once, and the secret is a working management token', async () => {
    const expires = inDays(365);
    const out = ok(
      await run.cli(['management', 'create', '--expires-at', expires, '--description', 'CI pipeline']),
      'management create',
    );
    const secret = secretOf(out, 'fgm_');
    run.secrets.add(secret);
    assert.match(out, /CI pipeline/);
    const whoami = await call<{ tokenId: string; kind: string; role: string; expiresAt: string }>(
      run.server.url,
      'GET',
      '/api/v0/whoami',
      { token: secret },
    );
    assert.equal(whoami.status, 200);
    assert.equal(whoami.body.kind, 'management');
    assert.equal(whoami.body.role, 'admin', 'a manual management token is an Admin by default');
    assert.equal(Date.parse(whoami.body.expiresAt), Date.parse(expires));
    ci = { id: whoami.body.tokenId, secret };
  });

  test('create --expires-in 30d --role member --format json answers the object with its accessToken', async () => {
    const out = ok(
      await run.cli([
        'management',
        'create',
        '--expires-in',
        '30d',
        '--description',
        'deploy bot',
        '--role',
        'member',
        '--format',
        'json',
      ]),
      'management create --format json',
    );
    const created = JSON.parse(out) as ManagementToken;
    assert.equal(created.role, 'member');
    const secret = created.accessToken ?? '';
    assert.ok(secret.startsWith('fgm_'));
    run.secrets.add(secret);
    bot = { id: created.id, secret };
    assert.ok(Math.abs(Date.parse(created.expiresAt ?? '') - (Date.now() + 30 * 86_400_000)) < 120_000);
  });

  test('list shows every token without a secret and "never" for one that does not expire', async () => {
    ok(await run.cli(['management', 'create', '--description', 'forever']), 'create without expiry');
    const table = ok(await run.cli(['management', 'list']), 'management list');
    assert.match(table, /forever .*never/);
    assert.doesNotMatch(table, /1970/);
    const json = ok(await run.cli(['management', 'list', '--format', 'json', '--sort', 'description']), 'list json');
    const listed = JSON.parse(json) as ManagementToken[];
    assert.deepEqual(
      listed.map((t) => t.description),
      ['CI pipeline', 'deploy bot', 'forever'],
    );
    assert.ok(listed.every((t) => t.accessToken === undefined));
    assertNoSecrets(json + table, run.secrets, 'management list');
  });

  test('a Member cannot mint an Admin, and a management token can never write data', async () => {
    fails(
      await run.cli(['management', 'create', '--description', 'escalate', '--role', 'admin'], bot.secret),
      'member creating an admin',
      /403/,
    );
    ok(await run.cli(['create', 'database', 'sensors']), 'create database');
    fails(await run.cli(['write', '--database', 'sensors', 'cpu v=1 1'], ci.secret), 'management token writing', /403/);
  });

  test('rotate --grace 1h: a new secret, and the old one still works inside the grace', async () => {
    const out = ok(await run.cli(['management', 'rotate', ci.id, '--grace', '1h']), 'management rotate');
    const fresh = secretOf(out, 'fgm_');
    run.secrets.add(fresh);
    assert.notEqual(fresh, ci.secret);
    for (const secret of [fresh, ci.secret])
      assert.equal((await call(run.server.url, 'GET', '/api/v0/whoami', { token: secret })).status, 200);
    ci = { ...ci, secret: fresh };
  });

  test('revoke ID… --force: the next request with each gets 401; an unknown id fails the command but not the others', async () => {
    const result = await run.cli(['management', 'revoke', ci.id, '999999', bot.id, '--force']);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, new RegExp(`Management token ${ci.id} revoked`));
    assert.match(result.stdout, new RegExp(`Management token ${bot.id} revoked`));
    assert.match(result.stderr, /999999: 404/);
    for (const secret of [ci.secret, bot.secret])
      assert.equal((await call(run.server.url, 'GET', '/api/v0/whoami', { token: secret })).status, 401);
    const listed = JSON.parse(
      ok(await run.cli(['management', 'list', '--include-revoked', '--format', 'json']), 'list revoked'),
    ) as ManagementToken[];
    assert.equal(listed.find((t) => t.id === ci.id)?.status, 'revoked');
  });
});
