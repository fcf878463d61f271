/**
 * `fluxgate management create|list|revoke|rotate` against a recording HTTP server that answers with
 * the example bodies of docs/api.md ("Management tokens: /api/v0/management-tokens"). It stands in for
 * the server's routes, which are being built at the same time; test/e2e/cli-management.test.ts runs
 * the same commands against a real server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { runInTerminal } from '../helpers/terminal.ts';
import { failed, IDS, MGMT, SECRET, startV0Cli, succeeded, type V0Cli, v0Error } from './v0-cli.ts';

const token = (id: string, extra: Record<string, unknown> = {}) => ({
  ...IDS,
  id,
  name: `ci-pipeline-${id}`,
  description: `CI pipeline ${id}`,
  role: 'admin',
  status: 'active',
  tokenPrefix: 'fgm_Q2x9…',
  createdAt: '2026-01-02T03:04:05.000Z',
  createdBy: '1',
  ...extra,
});

describe('management commands (unit: a recording server answers with the reference bodies; test/e2e/cli-*.test.ts runs them against a real server)', () => {
  let cli: V0Cli;
  before(async () => {
    cli = await startV0Cli();
  });
  after(() => cli.dispose());

  test('create sends the description, role and RFC3339 expiry and prints the table, two warnings, then the secret', async () => {
    cli.server.reply({ body: token('12', { expiresAt: '2027-01-01T00:00:00.000Z', accessToken: SECRET }) });
    const out = succeeded(
      cli,
      await cli.run([
        'management',
        'create',
        '--expires-at',
        '2027-01-01T00:00:00Z',
        '--description',
        'CI pipeline',
        '--role',
        'member',
      ]),
      'management create',
    );
    const [request] = cli.server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/api/v0/management-tokens');
    assert.equal(request?.authorization, `Bearer ${MGMT}`);
    assert.match(request?.contentType ?? '', /^application\/json/);
    assert.deepEqual(request?.body, { description: 'CI pipeline', role: 'member', expiresAt: '2027-01-01T00:00:00Z' });
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.at(-1), SECRET, 'the secret is alone on the last line');
    assert.equal(out.split(SECRET).length, 2, 'the secret is printed exactly once');
    assert.match(lines.at(-3) ?? '', /^warn copy this token now/);
    assert.match(lines.at(-2) ?? '', /^warn this is the only time it is shown/);
    const table = lines.slice(0, -3).join('\n');
    for (const column of ['id', 'description', 'expires', 'revoked']) assert.match(table, new RegExp(column));
    assert.match(table, /│ 12 +│ CI pipeline 12 +│ 2027-01-01T00:00:00\.000Z/);
  });

  test('create --expires-in 30d --format json sends expiresIn and prints the answer with its accessToken', async () => {
    cli.server.reply({ body: token('13', { role: 'member', accessToken: SECRET }) });
    const out = succeeded(
      cli,
      await cli.run([
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
    assert.deepEqual(cli.server.requests[0]?.body, { description: 'deploy bot', role: 'member', expiresIn: '30d' });
    const printed = JSON.parse(out) as Record<string, unknown>;
    assert.equal(printed.accessToken, SECRET);
    assert.equal(printed.id, '13');
  });

  test('create without a role asks for admin, as manual management tokens are in Cloud Dedicated', async () => {
    cli.server.reply({ body: token('14', { accessToken: SECRET }) });
    succeeded(cli, await cli.run(['management', 'create', '--description', 'x']), 'management create');
    assert.deepEqual(cli.server.requests[0]?.body, { description: 'x', role: 'admin' });
  });

  test('bad input is refused before any request, naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['management', 'create', '--description', 'x', '--expires-at', '2027-01-01T00:00:00Z', '--expires-in', '7d'],
        /--expires-at and --expires-in/,
      ],
      [
        ['management', 'create', '--description', 'x', '--expires-at', 'tomorrow'],
        /--expires-at: 'tomorrow' is not an RFC3339/,
      ],
      [['management', 'create', '--description', 'x', '--expires-at', '2001-01-01T00:00:00Z'], /not in the future/],
      [['management', 'create', '--description', 'x', '--expires-in', '7 parsecs'], /--expires-in/],
      [['management', 'create'], /--description is required/],
      [['management', 'create', '--description', '   '], /must not be blank/],
      [['management', 'rotate', '12', '--grace', 'soon'], /--grace/],
    ];
    for (const [args, pattern] of cases) {
      cli.server.reply();
      failed(await cli.run(args), args.join(' '), pattern);
      assert.equal(cli.server.requests.length, 0, `${args.join(' ')} should send nothing`);
    }
  });

  test('an unknown role is a usage error naming the choices, and sends nothing', async () => {
    cli.server.reply();
    const result = await cli.run(['management', 'create', '--description', 'x', '--role', 'owner']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Allowed choices are admin, member, auditor/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('list follows X-Next-Cursor to the last page, sends the filters, shows "never" and no secret', async () => {
    cli.server.reply(
      {
        body: [token('12', { expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: '2026-01-03T00:00:00.000Z' })],
        headers: { 'x-next-cursor': 'page-2' },
      },
      { body: [token('13', { status: 'revoked', revokedAt: '2026-01-04T00:00:00.000Z' })] },
    );
    const out = succeeded(
      cli,
      await cli.run(['management', 'list', '--include-revoked', '--sort', 'last-used']),
      'management list',
    );
    const [first, second] = cli.server.requests;
    assert.equal(first?.method, 'GET');
    assert.equal(first?.path, '/api/v0/management-tokens');
    assert.deepEqual(first?.query, { includeRevoked: 'true', sort: 'last-used' });
    assert.deepEqual(second?.query, { includeRevoked: 'true', sort: 'last-used', cursor: 'page-2' });
    assert.equal(second?.authorization, `Bearer ${MGMT}`);
    for (const column of [
      'id',
      'description',
      'role',
      'prefix',
      'status',
      'created',
      'expires',
      'revoked',
      'last used',
    ])
      assert.ok(out.includes(column), `the table has a ${column} column`);
    assert.match(out, /│ 13 .*│ revoked .*│ never .*│ 2026-01-04T00:00:00\.000Z/);
    assert.doesNotMatch(out, /1970/);
  });

  test('`management list | head -n 1` ends quietly when head closes the pipe (no EPIPE stack trace)', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => token(String(i + 1)));
    cli.server.reply({ body: many });
    const bin = join(REPO_ROOT, 'bin/fluxgate.js');
    // spawnSync would block the recording server of this same process: run the pipe asynchronously.
    const result = await new Promise<{ status: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn('sh', ['-c', `"${process.execPath}" "${bin}" management list --format json | head -n 1`], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: cli.configHome },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    assert.equal(result.stdout, '[\n');
    assert.equal(result.stderr, '', 'nothing on stderr');
    assert.equal(result.status, 0);
  });

  test('list --format json prints the tokens as the server sent them, without a secret even if one came', async () => {
    cli.server.reply({ body: [token('12'), token('13', { accessToken: SECRET })] });
    const out = succeeded(
      cli,
      await cli.run(['management', 'list', '--format', 'json']),
      'management list --format json',
    );
    assert.deepEqual(cli.server.requests[0]?.query, { sort: 'created' });
    const listed = JSON.parse(out) as Array<Record<string, unknown>>;
    assert.deepEqual(
      listed.map((t) => t.id),
      ['12', '13'],
    );
    assert.ok(!out.includes(SECRET));
  });

  test('revoke ID… --force revokes each, goes on past an error and exits non-zero naming it', async () => {
    cli.server.reply({ status: 204 }, v0Error(404, 'TOKEN_NOT_FOUND', 'management token 98 not found'), {
      status: 204,
    });
    const result = await cli.run(['management', 'revoke', '12', '98', '13', '--force']);
    assert.deepEqual(
      cli.server.requests.map((r) => `${r.method} ${r.path} ${r.authorization}`),
      ['12', '98', '13'].map((id) => `DELETE /api/v0/management-tokens/${id} Bearer ${MGMT}`),
    );
    assert.match(result.stdout, /Management token 12 revoked\.\nManagement token 13 revoked\./);
    assert.match(result.stderr, /^Error: 98: 404 management token 98 not found$/m);
    failed(result, 'revoke with one unknown id', /1 of 3 revocations failed/);
  });

  test('revoke without --force and without a terminal refuses and sends nothing', async () => {
    cli.server.reply();
    failed(await cli.run(['management', 'revoke', '12']), 'revoke without --force', /pass --force/);
    assert.equal(cli.server.requests.length, 0);
  });

  test('on a terminal revoke asks [y/N]: "n" sends nothing, "y" revokes', async () => {
    const env = { XDG_CONFIG_HOME: cli.configHome, XDG_CACHE_HOME: join(cli.configHome, 'cache') };
    cli.server.reply();
    const declined = runInTerminal(['management', 'revoke', '12'], env);
    await declined.expect('Are you sure you want to revoke the management token 12 (this cannot be undone)? [y/N]');
    declined.type('n');
    assert.notEqual(await declined.exited, 0);
    assert.match(declined.screen(), /cancelled: nothing was changed/);
    assert.equal(cli.server.requests.length, 0);

    cli.server.reply({ status: 204 });
    const accepted = runInTerminal(['management', 'revoke', '12'], env);
    await accepted.expect('[y/N]');
    accepted.type('y');
    assert.equal(await accepted.exited, 0);
    assert.match(accepted.screen(), /Management token 12 revoked\./);
    assert.equal(cli.server.requests[0]?.method, 'DELETE');
  });

  test('rotate --grace 1h sends the grace and prints the new secret and until when the old one works', async () => {
    cli.server.reply({ body: token('12', { accessToken: SECRET, graceEndsAt: '2026-01-02T04:04:05.000Z' }) });
    const out = succeeded(cli, await cli.run(['management', 'rotate', '12', '--grace', '1h']), 'management rotate');
    assert.equal(cli.server.requests[0]?.method, 'POST');
    assert.equal(cli.server.requests[0]?.path, '/api/v0/management-tokens/12/rotate');
    assert.deepEqual(cli.server.requests[0]?.body, { grace: '1h' });
    assert.match(out, /old secret works until/);
    assert.match(out, /2026-01-02T04:04:05\.000Z/);
    assert.equal(out.trimEnd().split('\n').at(-1), SECRET);
  });

  test('rotate with no grace asks first (the old secret dies at once): refused without --force, sent with it', async () => {
    cli.server.reply();
    failed(await cli.run(['management', 'rotate', '12']), 'rotate without grace or --force', /--force/);
    assert.equal(cli.server.requests.length, 0);
    cli.server.reply({ body: token('12', { accessToken: SECRET }) });
    succeeded(cli, await cli.run(['management', 'rotate', '12', '--force']), 'rotate --force');
    assert.deepEqual(cli.server.requests[0]?.body, {});
  });

  test("a refusal prints the server's message on one line and exits 1, without echoing the token sent", async () => {
    cli.server.reply(v0Error(403, 'ROLE_EXCEEDS_OWN', 'a member may not create an admin management token'));
    const result = await cli.run(['management', 'create', '--description', 'x']);
    const line = failed(result, 'a refused create', /^Error: 403 a member may not create an admin management token$/);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trimEnd(), line, 'one line');
    assert.equal(result.stdout, '');
    assert.ok(!result.stderr.includes(MGMT));
  });
});
