/**
 * `fluxgate token create|get|list|update|revoke|rotate` (the influxctl shape) end to end against a
 * real `fluxgate serve`: what each command sends is what the server does (grants, rotation grace,
 * revocation on the very next request).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoSecrets, fails, ok } from '../cli/cli-assertions.ts';
import { call } from '../helpers/http.ts';
import { type InfluxctlRun, secretOf, startInfluxctlRun } from './influxctl-cli.ts';

interface DatabaseToken {
  id: string;
  description: string;
  status: string;
  permissions: Array<{ action: string; resource: string }>;
  expiresAt?: string;
  revokedAt?: string;
  accessToken?: string;
}

describe('fluxgate token … (influxctl shape) against a real server', () => {
  let run: InfluxctlRun;
  let ingest = { id: '', secret: '' };
  const write = (secret: string, database = 'sensors') =>
    run.cli(['write', '--database', database, '--precision', 'ms', `cpu,host=a v=1 ${Date.now()}`], secret);

  before(async () => {
    run = await startInfluxctlRun();
    ok(await run.cli(['create', 'database', 'sensors']), 'create sensors');
    ok(await run.cli(['create', 'database', 'logs']), 'create logs');
  });
  after(() => run?.dispose());

  test('create DESCRIPTION --read-database --write-database --expires-in: a token that works at once', async () => {
    const out = ok(
      await run.cli([
        'token',
        'create',
        '--read-database',
        'sensors',
        '--write-database',
        'sensors',
        '--expires-in',
        '7d',
        'ingest',
      ]),
      'token create',
    );
    const secret = secretOf(out, 'fgd_');
    run.secrets.add(secret);
    ok(await write(secret), 'write with the new token');
    ok(await run.cli(['query', '--database', 'sensors', 'SELECT count(*) FROM cpu'], secret), 'query with it');
    fails(await write(secret, 'logs'), 'write to a database it has no grant on', /403/);
    const listed = JSON.parse(
      ok(await run.cli(['token', 'list', '--format', 'json']), 'token list'),
    ) as DatabaseToken[];
    const found = listed.find((t) => t.description === 'ingest');
    assert.ok(found);
    ingest = { id: found.id, secret };
  });

  test('create on an unknown database or with a blank description is refused, nothing created', async () => {
    fails(await run.cli(['token', 'create', 'x', '--read-database', 'nope']), 'unknown database', /400/, /nope/);
    fails(await run.cli(['token', 'create', ' ']), 'blank description', /blank/);
    const listed = JSON.parse(ok(await run.cli(['token', 'list', '--format', 'json']), 'list')) as DatabaseToken[];
    assert.equal(listed.length, 1);
  });

  test('get and list show status, permissions and expiry, never a secret', async () => {
    const got = ok(await run.cli(['token', 'get', ingest.id]), 'token get');
    assert.match(got, /active/);
    assert.match(got, /read:sensors write:sensors/);
    const table = ok(await run.cli(['token', 'list', '--include-revoked', '--sort', 'last-used']), 'token list');
    assert.match(table, /ingest/);
    assertNoSecrets(got + table, run.secrets, 'token get and list');
  });

  test('update --add-write-database adds, --read-database replaces, --no-expiry clears', async () => {
    ok(await run.cli(['token', 'update', ingest.id, '--add-write-database', 'logs', '--expires-in', '30d']), 'add');
    ok(await write(ingest.secret, 'logs'), 'write to the added database');
    ok(await run.cli(['token', 'update', ingest.id, '--read-database', 'sensors', '--no-expiry']), 'replace');
    fails(await write(ingest.secret), 'write after the replace dropped it', /403/);
    const got = JSON.parse(
      ok(await run.cli(['token', 'get', ingest.id, '--format', 'json']), 'get'),
    ) as DatabaseToken[];
    assert.deepEqual(got[0]?.permissions, [{ action: 'read', resource: 'sensors' }]);
    assert.equal(got[0]?.expiresAt, undefined);
    ok(await run.cli(['token', 'update', ingest.id, '--add-write-database', 'sensors']), 'add back');
  });

  test('rotate --grace 1h keeps the old secret working; rotate --force without grace kills it at once', async () => {
    const graced = secretOf(ok(await run.cli(['token', 'rotate', ingest.id, '--grace', '1h']), 'rotate'), 'fgd_');
    run.secrets.add(graced);
    ok(await write(graced), 'new secret');
    ok(await write(ingest.secret), 'old secret inside the grace');
    const hard = secretOf(ok(await run.cli(['token', 'rotate', ingest.id, '--force']), 'rotate --force'), 'fgd_');
    run.secrets.add(hard);
    ok(await write(hard), 'newest secret');
    fails(await write(graced), 'the previous secret after a rotation without grace', /401/);
    ingest = { ...ingest, secret: hard };
  });

  test('a database token on any /api/v0 path is 403', async () => {
    fails(await run.cli(['token', 'list'], ingest.secret), 'token list with a database token', /403/);
    fails(await run.cli(['management', 'list'], ingest.secret), 'management list with a database token', /403/);
    for (const path of ['/api/v0/whoami', '/api/v0/management-tokens', '/api/v0/tokens/1'])
      assert.equal((await call(run.server.url, 'GET', path, { token: ingest.secret })).status, 403, path);
  });

  test('revoke (alias delete) --force: its next request gets 401; get needs --include-revoked', async () => {
    ok(await run.cli(['token', 'delete', ingest.id, '--force']), 'token delete');
    fails(await write(ingest.secret), 'write with a revoked token', /401/);
    fails(await run.cli(['token', 'get', ingest.id]), 'get a revoked token', /404/);
    assert.match(ok(await run.cli(['token', 'get', ingest.id, '--include-revoked']), 'get revoked'), /revoked/);
    fails(await run.cli(['token', 'rotate', ingest.id, '--force']), 'rotate a revoked token', /409/);
  });
});
