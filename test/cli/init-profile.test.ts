/**
 * `fluxgate init` with and without a terminal, and the CLI using the profile it wrote against a real
 * server: mgmt_token for management, token for write and query, flags and environment above both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call, type IssuedToken } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { runInTerminal } from '../helpers/terminal.ts';
import { assertNoSecrets, fails, ok } from './cli-assertions.ts';

describe('fluxgate init and the profiles it writes', () => {
  const home = mkdtempSync(join(tmpdir(), 'fluxgate-init-'));
  const xdg = join(home, 'xdg');
  const configDir = join(xdg, 'fluxgate');
  const configPath = join(configDir, 'config.toml');
  const env = { HOME: home, XDG_CONFIG_HOME: xdg };
  let server: ServerProcess;
  let operator = '';
  let writer = '';

  before(async () => {
    server = await startServerProcess();
    operator = await bootstrap(server.url);
    await call(server.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db: 'sensors' } });
    const issued = await call<IssuedToken>(server.url, 'POST', '/api/v3/enterprise/configure/token', {
      token: operator,
      json: {
        token_name: 'writer',
        permissions: [{ resource_type: 'db', resource_names: ['sensors'], actions: ['read', 'write'] }],
      },
    });
    writer = issued.body.token;
  });
  after(async () => {
    await server?.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extra } });

  test('without a terminal init takes its flags, writes mode 0600 in a 0700 directory, prints no secret', async () => {
    const stdout = ok(
      await cli(['init', '--host', server.url, '--mgmt-token', operator, '--token', writer, '--database', 'sensors']),
      'init',
    );
    assert.equal(stdout, `Profile 'default' written to ${configPath} (mode 0600).\n`);
    assert.equal(statSync(configPath).mode & 0o777, 0o600);
    assert.equal(statSync(configDir).mode & 0o777, 0o700);
    assert.equal(
      readFileSync(configPath, 'utf8'),
      `[[profile]]\nname = "default"\nhost = "${server.url}"\ndatabase = "sensors"\ntoken = "${writer}"\nmgmt_token = "${operator}"\n\n`,
    );
    assertNoSecrets(stdout, [operator, writer], 'init output');
  });

  test('management commands use mgmt_token, write and query use token; --token and the environment win', async () => {
    const listing = ok(await cli(['show', 'tokens', '--format', 'json']), 'show tokens with the profile');
    assert.deepEqual(
      (JSON.parse(listing) as Array<{ name: string }>).map((t) => t.name).sort(),
      ['_admin', 'writer'],
      'show tokens ran as the operator (the mgmt_token)',
    );
    ok(await cli(['write', '--database', 'sensors', 'm v=1 1']), 'write with the profile token');
    const read = ok(await cli(['query', '--database', 'sensors', '--format', 'csv', 'SELECT v FROM m']), 'query');
    assert.equal(read, 'v\n1\n');
    const writerLog = await call<Array<{ name: string; last_used_at: string | null }>>(
      server.url,
      'GET',
      '/api/v3/configure/token',
      { token: operator },
    );
    assert.ok(writerLog.body.find((t) => t.name === 'writer')?.last_used_at, 'the write went with the writer token');

    fails(await cli(['show', 'tokens'], { FLUXGATE_TOKEN: writer }), 'the environment beats mgmt_token', /403/);
    fails(await cli(['show', 'tokens', '--token', writer], { FLUXGATE_TOKEN: operator }), '--token beats all', /403/);
    fails(
      await cli(['write', '--database', 'sensors', 'm v=2 2'], {
        INFLUXDB3_AUTH_TOKEN: operator.replace(/.$/, operator.endsWith('0') ? '1' : '0'),
      }),
      'INFLUXDB3_AUTH_TOKEN beats token',
      /40[01]/,
    );
  });

  test('init refuses to replace a profile without --force; --force replaces it; --profile adds another', async () => {
    const before = readFileSync(configPath, 'utf8');
    fails(
      await cli(['init', '--host', 'http://elsewhere:1']),
      'init over an existing profile',
      /refusing to replace the profile 'default'/,
      /--force/,
    );
    assert.equal(readFileSync(configPath, 'utf8'), before, 'nothing was changed');

    ok(await cli(['--profile', 'ci', 'init', '--host', server.url, '--mgmt-token', writer]), 'a second profile');
    const replaced = ok(await cli(['init', '--force', '--database', 'other']), 'init --force');
    assert.equal(replaced, `Profile 'default' replaced in ${configPath} (mode 0600).\n`);
    const text = readFileSync(configPath, 'utf8');
    assert.match(text, /database = "other"/, '--force replaced the value given');
    assert.match(text, new RegExp(`mgmt_token = "${operator}"`), 'and kept the rest of the profile');
    assert.match(text, /name = "ci"/, 'the other profile is kept');

    fails(await cli(['show', 'tokens'], { FLUXGATE_PROFILE: 'ci' }), 'FLUXGATE_PROFILE selects ci', /403/);
    fails(
      await cli(['--profile', 'staging', 'show', 'tokens']),
      'an unknown profile',
      new RegExp(`no profile named 'staging' in ${configPath} \\(it has default, ci\\)`),
    );
  });

  test('on a terminal init asks for what no flag gave, without echoing secrets', async () => {
    const fresh = { HOME: home, XDG_CONFIG_HOME: join(home, 'tty') };
    const path = join(home, 'tty', 'fluxgate', 'config.toml');
    const session = runInTerminal(['init', '--database', 'sensors'], fresh);
    await session.expect('Host [http://127.0.0.1:8181]: ');
    session.type(server.url);
    await session.expect('Management token: ');
    session.type(operator);
    await session.expect('Database token (write, query): ');
    session.type(writer);
    await session.expect(`Profile 'default' written to ${path} (mode 0600).`);
    assert.equal(await session.exited, 0);
    assert.ok(!session.screen().includes('Default database'), 'a value given as a flag is not asked for');
    assertNoSecrets(session.screen(), [operator, writer], 'the terminal');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.match(text, new RegExp(`mgmt_token = "${operator}"`));
    assert.match(text, new RegExp(`token = "${writer}"`));
    assert.match(text, /database = "sensors"/);

    // Replacing asks [y/N]; anything but y declines, exits non-zero and changes nothing.
    const declined = runInTerminal(['init'], fresh);
    await declined.expect(`Are you sure you want to replace the profile 'default' in ${path}? [y/N] `);
    declined.type('');
    await declined.expect('Error: cancelled: nothing was changed');
    assert.equal(await declined.exited, 1);
    assert.equal(readFileSync(path, 'utf8'), text);

    // Accepting shows the current values; Enter keeps each, and a secret shows only "unchanged".
    const accepted = runInTerminal(['init'], fresh);
    await accepted.expect('[y/N] ');
    accepted.type('y');
    await accepted.expect(`Host [${server.url}]: `);
    accepted.type('');
    await accepted.expect('Default database [sensors]: ');
    accepted.type('metrics');
    await accepted.expect('Management token [unchanged]: ');
    accepted.type('');
    await accepted.expect('Database token (write, query) [unchanged]: ');
    accepted.type('');
    await accepted.expect(`Profile 'default' replaced in ${path} (mode 0600).`);
    assert.equal(await accepted.exited, 0);
    assert.equal(readFileSync(path, 'utf8'), text.replace('database = "sensors"', 'database = "metrics"'));
    assertNoSecrets(accepted.screen(), [operator, writer], 'the terminal');
  });
});
