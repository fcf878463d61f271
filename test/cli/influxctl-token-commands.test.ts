/**
 * `fluxgate token create|get|list|update|revoke|rotate` (the influxctl shape) against a recording HTTP
 * server answering with the example bodies of docs/api.md ("Database tokens: /api/v0/tokens"). It
 * stands in for the server's v0 routes, which are being built at the same time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { failed, IDS, MGMT, SECRET, startV0Cli, succeeded, type V0Cli, v0Error } from './v0-cli.ts';

const token = (id: string, extra: Record<string, unknown> = {}) => ({
  ...IDS,
  id,
  name: 'ingest',
  description: 'ingest',
  permissions: [
    { action: 'read', resource: 'sensors' },
    { action: 'write', resource: '*' },
  ],
  status: 'active',
  tokenPrefix: 'fgd_AbCd…',
  createdAt: '2026-01-02T03:04:05.000Z',
  createdBy: '12',
  ...extra,
});

describe('influxctl-shape token commands (unit: a recording server answers with the reference bodies; test/e2e/cli-*.test.ts runs them against a real server)', () => {
  let cli: V0Cli;
  before(async () => {
    cli = await startV0Cli();
  });
  after(() => cli.dispose());

  test('create DESCRIPTION sends repeatable read and write grants, the wildcard and --expires-in', async () => {
    cli.server.reply({ body: token('42', { expiresAt: '2026-01-09T03:04:05.000Z', accessToken: SECRET }) });
    const out = succeeded(
      cli,
      await cli.run([
        'token',
        'create',
        '--read-database',
        'sensors',
        '--read-database',
        'logs',
        '--write-database',
        '*',
        '--expires-in',
        '7d',
        'ingest',
      ]),
      'token create',
    );
    const [request] = cli.server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/api/v0/tokens');
    assert.equal(request?.authorization, `Bearer ${MGMT}`);
    assert.deepEqual(request?.body, {
      description: 'ingest',
      permissions: [
        { action: 'read', resource: 'sensors' },
        { action: 'read', resource: 'logs' },
        { action: 'write', resource: '*' },
      ],
      expiresIn: '7d',
    });
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.at(-1), SECRET);
    assert.match(lines.at(-3) ?? '', /^warn /);
    assert.match(lines.at(-2) ?? '', /^warn /);
    assert.match(out, /│ 42 +│ ingest +│ 2026-01-09T03:04:05\.000Z/);
  });

  test('create with no grants sends an empty list (a token with no access) and --format json prints accessToken', async () => {
    cli.server.reply({ body: token('43', { permissions: [], accessToken: SECRET }) });
    const out = succeeded(
      cli,
      await cli.run(['token', 'create', 'no access', '--expires-at', '2030-01-01T00:00:00Z', '--format', 'json']),
      'token create --format json',
    );
    assert.deepEqual(cli.server.requests[0]?.body, {
      description: 'no access',
      permissions: [],
      expiresAt: '2030-01-01T00:00:00Z',
    });
    assert.equal((JSON.parse(out) as { accessToken: string }).accessToken, SECRET);
  });

  test('create refuses a blank description and two expiries before any request', async () => {
    for (const args of [
      ['token', 'create', ' ', '--read-database', 'sensors'],
      ['token', 'create', 'x', '--expires-in', '7d', '--expires-at', '2030-01-01T00:00:00Z'],
    ]) {
      cli.server.reply();
      failed(await cli.run(args), args.join(' '));
      assert.equal(cli.server.requests.length, 0);
    }
  });

  test("create: the server's refusal of an unknown database is printed on one line, naming the flag", async () => {
    cli.server.reply(
      v0Error(
        400,
        'INVALID_PERMISSION',
        "permissions[1].resource: there is no database 'nope'",
        'permissions[1].resource',
      ),
    );
    const result = await cli.run(['token', 'create', 'x', '--read-database', 'sensors', '--write-database', 'nope']);
    failed(result, 'create on an unknown database', /^Error: 400 --write-database nope: there is no database 'nope'$/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
  });

  test('update: a refused added grant names the --add-… flag it came from', async () => {
    cli.server.reply(
      v0Error(400, 'INVALID_PERMISSION', "addPermissions[0]: database 'nope' does not exist", 'addPermissions[0]'),
    );
    const result = await cli.run(['token', 'update', '7', '--read-database', 'sensors', '--add-read-database', 'nope']);
    failed(result, 'update adding an unknown database', /^Error: 400 --add-read-database nope: database 'nope'/);
  });

  test('a message of several lines from the server is still one line on stderr', async () => {
    cli.server.reply(v0Error(500, 'INTERNAL', 'the catalog is unavailable\n  retry later'));
    const result = await cli.run(['token', 'list']);
    failed(result, 'a multi-line message', /^Error: 500 the catalog is unavailable retry later$/);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
  });

  test('get ID --include-revoked asks for revoked ones too and shows status, permissions and last use', async () => {
    cli.server.reply({
      body: token('42', {
        status: 'revoked',
        revokedAt: '2026-01-05T00:00:00.000Z',
        lastUsedAt: '2026-01-04T00:00:00.000Z',
      }),
    });
    const out = succeeded(cli, await cli.run(['token', 'get', '42', '--include-revoked']), 'token get');
    assert.equal(cli.server.requests[0]?.method, 'GET');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/tokens/42');
    assert.deepEqual(cli.server.requests[0]?.query, { includeRevoked: 'true' });
    assert.match(out, /revoked/);
    assert.match(out, /read:sensors write:\*/);
    assert.match(out, /2026-01-04T00:00:00\.000Z/);
    assert.match(out, /never/, 'no expiry shows as never');
  });

  test('get without --include-revoked sends no filter; a 404 is one line and exit 1', async () => {
    cli.server.reply(v0Error(404, 'TOKEN_NOT_FOUND', 'database token 42 not found'));
    const result = await cli.run(['token', 'get', '42']);
    assert.deepEqual(cli.server.requests[0]?.query, {});
    failed(result, 'get of a revoked token', /404 database token 42 not found/);
    assert.equal(result.code, 1);
  });

  test('list follows the pages, sends sort and includeRevoked, and shows status and last used', async () => {
    cli.server.reply(
      { body: [token('42', { lastUsedAt: '2026-01-03T00:00:00.000Z' })], headers: { 'x-next-cursor': 'c1' } },
      {
        body: [token('43', { status: 'expired', expiresAt: '2026-01-02T04:00:00.000Z' })],
        headers: { 'x-next-cursor': 'c2' },
      },
      { body: [] },
    );
    const out = succeeded(
      cli,
      await cli.run(['token', 'list', '--include-revoked', '--sort', 'last-used']),
      'token list',
    );
    assert.deepEqual(
      cli.server.requests.map((r) => r.query),
      [
        { includeRevoked: 'true', sort: 'last-used' },
        { includeRevoked: 'true', sort: 'last-used', cursor: 'c1' },
        { includeRevoked: 'true', sort: 'last-used', cursor: 'c2' },
      ],
    );
    for (const column of ['id', 'description', 'status', 'permissions', 'created', 'expires', 'last used'])
      assert.ok(out.includes(column), `a ${column} column`);
    assert.match(out, /│ 42 .*│ active .*│ never +│ 2026-01-03T00:00:00\.000Z/);
    assert.match(out, /│ 43 .*│ expired .*│ 2026-01-02T04:00:00\.000Z │ never/);
  });

  test('list --format json is the array of token objects; the default sort is id', async () => {
    cli.server.reply({ body: [token('42')] });
    const out = succeeded(cli, await cli.run(['token', 'list', '--format', 'json']), 'token list --format json');
    assert.deepEqual(cli.server.requests[0]?.query, { sort: 'id' });
    assert.deepEqual(JSON.parse(out), [token('42')]);
  });

  test('update --add-write-database --expires-in sends addPermissions and expiresIn, nothing else', async () => {
    cli.server.reply({ body: token('42') });
    succeeded(
      cli,
      await cli.run(['token', 'update', '42', '--add-write-database', 'logs', '--expires-in', '30d']),
      'token update',
    );
    const [request] = cli.server.requests;
    assert.equal(request?.method, 'PATCH');
    assert.equal(request?.path, '/api/v0/tokens/42');
    assert.deepEqual(request?.body, { expiresIn: '30d', addPermissions: [{ action: 'write', resource: 'logs' }] });
  });

  test('update --read/--write-database replace, --remove-database drops, --no-expiry clears, --description renames', async () => {
    cli.server.reply({ body: token('42') });
    succeeded(
      cli,
      await cli.run([
        'token',
        'update',
        '42',
        '--description',
        'ingest v2',
        '--read-database',
        'a',
        '--write-database',
        'b',
        '--add-read-database',
        'c',
        '--remove-database',
        'old',
        '--remove-database',
        '*',
        '--no-expiry',
        '--format',
        'json',
      ]),
      'token update (all)',
    );
    assert.deepEqual(cli.server.requests[0]?.body, {
      expiresAt: null,
      description: 'ingest v2',
      permissions: [
        { action: 'read', resource: 'a' },
        { action: 'write', resource: 'b' },
      ],
      addPermissions: [{ action: 'read', resource: 'c' }],
      removeDatabases: ['old', '*'],
    });
  });

  test('update with nothing to change, or two expiries, sends nothing', async () => {
    for (const args of [
      ['token', 'update', '42'],
      ['token', 'update', '42', '--no-expiry', '--expires-in', '7d'],
    ]) {
      cli.server.reply();
      failed(await cli.run(args), args.join(' '));
      assert.equal(cli.server.requests.length, 0);
    }
  });

  test('revoke (and its alias delete) --force: one DELETE per id, going on past a failure', async () => {
    cli.server.reply({ status: 204 }, { status: 204 });
    const out = succeeded(cli, await cli.run(['token', 'revoke', '42', '43', '--force']), 'token revoke');
    assert.deepEqual(
      cli.server.requests.map((r) => `${r.method} ${r.path}`),
      ['DELETE /api/v0/tokens/42', 'DELETE /api/v0/tokens/43'],
    );
    assert.match(out, /Database token 42 revoked\.\nDatabase token 43 revoked\./);

    cli.server.reply(v0Error(409, 'TOKEN_INACTIVE', 'database token 42 is already revoked'), { status: 204 });
    const result = await cli.run(['token', 'delete', '42', '43', '--force']);
    assert.equal(cli.server.requests.length, 2);
    assert.match(result.stdout, /Database token 43 revoked\./);
    assert.match(result.stderr, /^Error: 42: 409 database token 42 is already revoked$/m);
    failed(result, 'token delete with one failure', /1 of 2 revocations failed/);
  });

  test('revoke without --force and no terminal sends nothing', async () => {
    cli.server.reply();
    failed(await cli.run(['token', 'revoke', '42']), 'token revoke without --force', /--force/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('rotate --grace 1h posts the grace and prints the new secret last', async () => {
    cli.server.reply({ body: token('42', { accessToken: SECRET, graceEndsAt: '2026-01-02T04:04:05.000Z' }) });
    const out = succeeded(cli, await cli.run(['token', 'rotate', '42', '--grace', '1h']), 'token rotate');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/tokens/42/rotate');
    assert.deepEqual(cli.server.requests[0]?.body, { grace: '1h' });
    assert.equal(out.trimEnd().split('\n').at(-1), SECRET);
  });

  test('the influxdb3 `token inspect` is still there beside the new subcommands', async () => {
    cli.server.reply();
    const result = await cli.run(['token', 'inspect', 'apiv3_abc']);
    assert.match(result.stdout, /checksum: none/);
    assert.equal(cli.server.requests.length, 0);
  });
});
