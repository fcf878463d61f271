/**
 * The operator's story with the `fluxgate` command against a real `fluxgate serve`: bootstrap,
 * connection settings, admin and database tokens, listings without secrets, revocation,
 * regeneration, databases, and a clear one-line error with a non-zero exit for every failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateToken } from '../../src/domain/token-format.ts';
import { call } from '../helpers/http.ts';
import { type CliResult, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import {
  assertExpiresIn,
  assertNoSecrets,
  fails,
  type IssuedJson,
  issuedFromJson,
  ok,
  pool,
  secretFromText,
} from './cli-assertions.ts';

const DAY = 86_400_000;

interface ListedToken {
  id: number;
  name: string;
  kind: string;
  status: string;
  hint: string;
  permissions: string[];
  expiry: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

describe('fluxgate CLI against a running server: tokens and databases', () => {
  let server: ServerProcess;
  /** Every secret issued in this suite: none may ever show up in a listing. */
  const secrets = new Set<string>();
  let operator = '';
  let ci: IssuedJson;
  let writer: IssuedJson;
  let shortLived: IssuedJson;

  /** Runs the CLI against this server as the operator (or as `token`), through FLUXGATE_* variables. */
  const cli = (args: string[], token: string = operator, input?: string) =>
    runCli(args, { env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: token }, input });

  const issue = (stdout: string) => {
    const issued = issuedFromJson(stdout);
    secrets.add(issued.token);
    return issued;
  };

  before(async () => {
    server = await startServerProcess();
  });

  after(async () => {
    await server?.dispose();
  });

  test('create token --admin bootstraps the operator token and prints the secret that works', async () => {
    // No token at all: the first operator token needs none.
    const stdout = ok(
      await runCli(['create', 'token', '--admin'], { env: { FLUXGATE_HOST: server.url } }),
      'bootstrap',
    );
    operator = secretFromText(stdout);
    secrets.add(operator);
    assert.match(operator, /^fgo_[0-9A-Za-z]{49}$/);

    const list = await call<ListedToken[]>(server.url, 'GET', '/api/v3/configure/token', { token: operator });
    assert.equal(list.status, 200, 'the printed secret authenticates as the operator');
    assert.deepEqual(
      list.body.map((t) => [t.name, t.kind, t.status]),
      [['_admin', 'operator', 'active']],
    );

    const again = await cli(['create', 'token', '--admin']);
    fails(again, 'a second operator token', /409/, /already exists/, /_admin/);
  });

  test('--host/--token, FLUXGATE_HOST/FLUXGATE_TOKEN and INFLUXDB3_HOST_URL/INFLUXDB3_AUTH_TOKEN all work', async () => {
    const dead = 'http://127.0.0.1:1';
    const bogus = generateToken('operator');
    const runs = await pool([
      () => runCli(['--host', server.url, '--token', operator, 'show', 'tokens', '--format', 'json']),
      () => runCli(['-H', server.url, 'show', 'tokens', '--format', 'json', '--token', operator]),
      () =>
        runCli(['show', 'tokens', '--format', 'json'], {
          env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: operator },
        }),
      () =>
        runCli(['show', 'tokens', '--format', 'json'], {
          env: { INFLUXDB3_HOST_URL: server.url, INFLUXDB3_AUTH_TOKEN: operator },
        }),
      // Flags win over the environment, and FLUXGATE_* over INFLUXDB3_*.
      () =>
        runCli(['--host', server.url, '--token', operator, 'show', 'tokens', '--format', 'json'], {
          env: { FLUXGATE_HOST: dead, FLUXGATE_TOKEN: bogus },
        }),
      () =>
        runCli(['show', 'tokens', '--format', 'json'], {
          env: {
            FLUXGATE_HOST: server.url,
            FLUXGATE_TOKEN: operator,
            INFLUXDB3_HOST_URL: dead,
            INFLUXDB3_AUTH_TOKEN: bogus,
          },
        }),
    ]);
    const labels = [
      'flags',
      '-H and a trailing --token',
      'FLUXGATE_*',
      'INFLUXDB3_*',
      'flags over env',
      'FLUXGATE_* over INFLUXDB3_*',
    ];
    runs.forEach((run, i) => {
      const list = JSON.parse(ok(run, labels[i] ?? String(i))) as ListedToken[];
      assert.deepEqual(
        list.map((t) => t.name),
        ['_admin'],
      );
    });
  });

  test('create token --admin --name ci --expiry 30d issues a named admin token that works', async () => {
    ci = issue(
      ok(await cli(['create', 'token', '--admin', '--name', 'ci', '--expiry', '30d', '--format', 'json']), 'ci'),
    );
    assert.equal(ci.name, 'ci');
    assert.equal(ci.kind, 'admin');
    assert.match(ci.token, /^fga_/);
    assert.deepEqual(ci.permissions, ['*:*:*']);
    assertExpiresIn(ci.expiry, 30 * DAY);
    const list = await call(server.url, 'GET', '/api/v3/configure/token', { token: ci.token });
    assert.equal(list.status, 200, 'the printed ci secret is an admin credential');
  });

  test('create database sensors, then a database token writer scoped to it', async () => {
    // Use the ci token this time, through the InfluxDB 3 variables.
    const created = await runCli(['create', 'database', 'sensors'], {
      env: { INFLUXDB3_HOST_URL: server.url, INFLUXDB3_AUTH_TOKEN: ci.token },
    });
    assert.match(ok(created, 'create database'), /^Database 'sensors' created \(id \d+\)\.$/m);

    const [writerRun, shortRun] = await pool([
      () =>
        cli([
          'create',
          'token',
          '--permission',
          'db:sensors:read,write',
          '--name',
          'writer',
          '--expiry',
          '7d',
          '--format',
          'json',
        ]),
      () =>
        cli([
          'create',
          'token',
          '--permission',
          'db:sensors:read',
          '--name',
          'short-lived',
          '--expiry',
          '1s',
          '--format',
          'json',
        ]),
    ]);
    writer = issue(ok(writerRun!, 'writer'));
    shortLived = issue(ok(shortRun!, 'short-lived'));
    assert.equal(writer.name, 'writer');
    assert.equal(writer.kind, 'database');
    assert.match(writer.token, /^fgd_/);
    assert.deepEqual(writer.permissions, ['db:sensors:read,write']);
    assertExpiresIn(writer.expiry, 7 * DAY);
    assertExpiresIn(shortLived.expiry, 1000, 60_000);

    // The printed secret is the one the server knows: it sees sensors, but is no admin.
    const dbs = await call<Array<Record<string, unknown>>>(
      server.url,
      'GET',
      '/api/v3/configure/database?format=json',
      {
        token: writer.token,
      },
    );
    assert.equal(dbs.status, 200);
    assert.deepEqual(
      dbs.body.map((db) => db['iox::database']),
      ['sensors'],
    );
    const tokens = await call(server.url, 'GET', '/api/v3/configure/token', { token: writer.token });
    assert.equal(tokens.status, 403, 'a database token cannot list tokens');
  });

  test('the text output of a database token is the secret that works; --expiry takes an RFC3339 time', async () => {
    const until = new Date(Date.now() + 365 * DAY);
    until.setUTCMilliseconds(0);
    const at = until.toISOString().replace('.000Z', 'Z');
    const stdout = ok(
      await cli(['create', 'token', '--permission', 'db:sensors:read', '--name', 'reader', '--expiry', at]),
      'reader',
    );
    const reader = secretFromText(stdout);
    secrets.add(reader);
    assert.match(reader, /^fgd_/);
    const dbs = await call(server.url, 'GET', '/api/v3/configure/database?format=json', { token: reader });
    assert.equal(dbs.status, 200);
    const list = await call<ListedToken[]>(server.url, 'GET', '/api/v3/configure/token', { token: operator });
    assert.equal(list.body.find((t) => t.name === 'reader')?.expiry, until.toISOString(), 'expires at that time');
  });

  test('show tokens lists status and last use in every format and never a secret', async () => {
    // Wait until short-lived has expired (it had one second).
    const wait = Date.parse(shortLived.expiry ?? '') + 50 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const expiredCall = await call(server.url, 'GET', '/api/v3/configure/database', { token: shortLived.token });
    assert.equal(expiredCall.status, 401, 'an expired token is refused');

    // No --format: the default is the pretty table.
    const [pretty, json, jsonl, csv] = await pool([
      () => cli(['show', 'tokens']),
      ...['json', 'jsonl', 'csv'].map((format) => () => cli(['show', 'tokens', '--format', format])),
    ]);
    if (!pretty || !json || !jsonl || !csv) throw new Error('missing results');
    const outputs = { pretty, json, jsonl, csv };
    for (const [format, run] of Object.entries(outputs)) {
      const stdout = ok(run, `show tokens --format ${format}`);
      assertNoSecrets(stdout, secrets, `show tokens (${format})`);
      for (const name of ['_admin', 'ci', 'writer', 'short-lived', 'reader'])
        assert.ok(stdout.includes(name), `${format} lists ${name}`);
    }

    const list = JSON.parse(ok(json, 'json')) as ListedToken[];
    const byName = new Map(list.map((t) => [t.name, t]));
    assert.equal(byName.get('_admin')?.status, 'active');
    assert.equal(byName.get('ci')?.status, 'active');
    assert.equal(byName.get('writer')?.status, 'active');
    assert.equal(byName.get('short-lived')?.status, 'expired');
    assert.deepEqual(byName.get('writer')?.permissions, ['db:sensors:read,write']);
    assert.equal(byName.get('writer')?.hint, writer.hint);
    assertExpiresIn(byName.get('writer')?.expiry, 7 * DAY);
    assert.equal(byName.get('_admin')?.expiry, null);
    // writer and the operator were used above; short-lived never authenticated successfully.
    assert.ok(byName.get('writer')?.last_used_at, 'writer has a last use');
    assert.ok(byName.get('_admin')?.last_used_at, 'the operator has a last use');
    assert.equal(byName.get('short-lived')?.last_used_at, null);
    for (const token of list) {
      assert.equal(Object.hasOwn(token, 'token'), false, 'no token field in a listing');
      assert.equal(Object.hasOwn(token, 'hash'), false, 'no hash field in a listing');
    }

    const lines = ok(jsonl, 'jsonl').trim().split('\n');
    assert.equal(lines.length, list.length);
    for (const line of lines) JSON.parse(line);

    const csvLines = ok(csv, 'csv').trim().split('\n');
    assert.equal(csvLines[0], 'id,name,kind,status,permissions,expiry,last_used_at,hint');
    const csvShort = csvLines.find((line) => line.split(',')[1] === 'short-lived');
    assert.equal(csvShort?.split(',')[3], 'expired');
    assert.equal(csvShort?.split(',')[6], 'never', 'an unused token shows last use "never"');

    const prettyText = ok(pretty, 'pretty');
    for (const column of ['name', 'kind', 'status', 'permissions', 'expiry', 'last_used_at', 'hint'])
      assert.ok(prettyText.includes(column), `the table has a ${column} column`);
    assert.ok(prettyText.includes('expired') && prettyText.includes('active'));
  });

  /** Runs every case, then reports all that were not a one-line, non-zero failure matching its patterns. */
  async function expectFailures(cases: Array<[string, () => Promise<CliResult>, RegExp[]]>): Promise<void> {
    const results = await pool(cases.map(([, run]) => run));
    const problems: string[] = [];
    cases.forEach(([what, , patterns], i) => {
      try {
        fails(results[i]!, what, ...patterns);
      } catch (error) {
        problems.push((error as Error).message);
      }
    });
    assert.deepEqual(problems, [], `failures that were not reported properly:\n${problems.join('\n\n')}`);
  }

  /** Nothing of the refused work happened: the operator, writer and sensors are as they were. */
  async function assertNothingChanged(): Promise<void> {
    const list = await call<ListedToken[]>(server.url, 'GET', '/api/v3/configure/token', { token: operator });
    assert.equal(list.status, 200, 'the operator token was not regenerated');
    assert.deepEqual(list.body.map((t) => t.name).sort(), ['_admin', 'ci', 'reader', 'short-lived', 'writer']);
    const dbs = await call(server.url, 'GET', '/api/v3/configure/database?format=json', { token: writer.token });
    assert.equal(dbs.status, 200, 'writer was not deleted');
    assert.match(dbs.text, /sensors/);
  }

  test('what the server refuses exits non-zero with the status and reason on one stderr line', async () => {
    await expectFailures([
      ['an unknown token', () => cli(['show', 'tokens'], generateToken('operator')), [/401/]],
      ['no token at all', () => runCli(['show', 'tokens'], { env: { FLUXGATE_HOST: server.url } }), [/401/]],
      ['show tokens with a database token', () => cli(['show', 'tokens'], writer.token), [/403/]],
      [
        'a duplicate admin token name',
        () => cli(['create', 'token', '--admin', '--name', 'ci']),
        [/409/, /already exists/, /ci/],
      ],
      [
        'a duplicate database token name',
        () => cli(['create', 'token', '--permission', 'db:sensors:read', '--name', 'writer']),
        [/409/, /already exists/, /writer/],
      ],
      ['a duplicate database', () => cli(['create', 'database', 'sensors']), [/409/, /sensors/]],
      [
        'an unknown database in a permission',
        () => cli(['create', 'token', '--permission', 'db:nosuch:read', '--name', 'x1']),
        [/nosuch/, /does not exist/],
      ],
      [
        '--regenerate by a named admin token',
        () => cli(['create', 'token', '--admin', '--regenerate', '--yes'], ci.token),
        [/403/, /the admin token 'ci' may not regenerate the operator token/, /only the operator token itself/],
      ],
      [
        'delete token of an unknown name',
        () => cli(['delete', 'token', '--token-name', 'nosuch', '--yes']),
        [/404/, /nosuch/],
      ],
      ['delete database of an unknown name', () => cli(['delete', 'database', 'nosuch', '--yes']), [/404/, /nosuch/]],
    ]);
    await assertNothingChanged();
  });

  test('what the CLI refuses itself exits non-zero and names the flag or value on one stderr line', async () => {
    await expectFailures([
      ['--expiry 7x', () => cli(['create', 'token', '--admin', '--name', 'x2', '--expiry', '7x']), [/--expiry/, /7x/]],
      [
        '--expiry on a day that does not exist',
        () => cli(['create', 'token', '--admin', '--name', 'x2', '--expiry', '2031-02-30T00:00:00Z']),
        [/--expiry/, /2031-02-30/, /not a real calendar date/],
      ],
      [
        '--expiry in the past',
        () => cli(['create', 'token', '--admin', '--name', 'x2', '--expiry', '2020-01-01T00:00:00Z']),
        [/400/, /2020-01-01/, /not in the future/],
      ],
      [
        '--permission db:sensors:fly',
        () => cli(['create', 'token', '--permission', 'db:sensors:fly', '--name', 'x3']),
        [/--permission/, /fly/],
      ],
      [
        '--permission foo:x:read',
        () => cli(['create', 'token', '--permission', 'foo:x:read', '--name', 'x4']),
        [/--permission/, /foo/],
      ],
      [
        'a permission token without --name',
        () => cli(['create', 'token', '--permission', 'db:sensors:read']),
        [/--name/, /required/],
      ],
      ['neither --admin nor --permission', () => cli(['create', 'token', '--name', 'x5']), [/--admin/, /--permission/]],
      [
        '--regenerate with --name',
        () => cli(['create', 'token', '--admin', '--regenerate', '--name', 'ci', '--yes']),
        [/--regenerate/, /--name/],
      ],
      [
        '--regenerate without --yes and no terminal',
        () => cli(['create', 'token', '--admin', '--regenerate'], operator, 'yes\n'),
        [/--yes/, /_admin/],
      ],
      [
        'delete token --token-name _admin',
        () => cli(['delete', 'token', '--token-name', '_admin', '--yes']),
        [/_admin/, /cannot be deleted/, /--regenerate/],
      ],
      [
        'delete token without --yes and no terminal',
        () => cli(['delete', 'token', '--token-name', 'writer'], operator, 'yes\n'),
        [/writer/, /--yes/],
      ],
      [
        'delete database without --yes and no terminal',
        () => cli(['delete', 'database', 'sensors'], operator, 'yes\n'),
        [/sensors/, /--yes/],
      ],
      [
        'a server that cannot be reached',
        () => runCli(['--host', 'http://127.0.0.1:1', '--token', operator, 'show', 'tokens']),
        [/cannot reach/, /127\.0\.0\.1:1/],
      ],
    ]);
    await assertNothingChanged();
  });

  test('delete token --token-name writer --yes: the next request with its secret gets 401', async () => {
    const before = await call(server.url, 'GET', '/api/v3/configure/database', { token: writer.token });
    assert.equal(before.status, 200);
    const stdout = ok(await cli(['delete', 'token', '--token-name', 'writer', '--yes']), 'delete token');
    assert.equal(stdout.trim(), "Token 'writer' deleted.");
    const afterwards = await call(server.url, 'GET', '/api/v3/configure/database', { token: writer.token });
    assert.equal(afterwards.status, 401);

    const [again, active, all] = await pool([
      () => cli(['delete', 'token', '--token-name', 'writer', '--yes']),
      () => cli(['show', 'tokens', '--format', 'json']),
      () => cli(['show', 'tokens', '--format', 'json', '--include-revoked']),
    ]);
    if (!again || !active || !all) throw new Error('missing results');
    fails(again, 'deleting writer twice', /404/, /writer/);
    const activeText = ok(active, 'show tokens');
    const allText = ok(all, 'show tokens --include-revoked');
    assertNoSecrets(activeText, secrets, 'show tokens');
    assertNoSecrets(allText, secrets, 'show tokens --include-revoked');
    const activeNames = (JSON.parse(activeText) as ListedToken[]).map((t) => t.name);
    assert.ok(!activeNames.includes('writer'), 'a revoked token is not listed by default');
    const revoked = (JSON.parse(allText) as ListedToken[]).find((t) => t.name === 'writer');
    assert.equal(revoked?.status, 'revoked');
    assert.ok(revoked?.revoked_at, 'revoked_at is set');
  });

  test('create token --admin --regenerate --yes: a new operator secret, the old one dead at once', async () => {
    const old = operator;
    const regenerated = issue(
      ok(await cli(['create', 'token', '--admin', '--regenerate', '--yes', '--format', 'json']), 'regenerate'),
    );
    operator = regenerated.token;
    assert.equal(regenerated.name, '_admin');
    assert.equal(regenerated.kind, 'operator');
    assert.match(operator, /^fgo_/);
    assert.notEqual(operator, old);
    const [oldCall, newCall] = await Promise.all([
      call(server.url, 'GET', '/api/v3/configure/token', { token: old }),
      call(server.url, 'GET', '/api/v3/configure/token', { token: operator }),
    ]);
    assert.equal(oldCall.status, 401, 'the old operator secret is refused');
    assert.equal(newCall.status, 200, 'the new operator secret works');

    const stale = await runCli(['show', 'tokens'], { env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: old } });
    fails(stale, 'the CLI with the old operator secret', /401/);
    const listing = ok(await cli(['show', 'tokens', '--include-revoked', '--format', 'csv']), 'show tokens csv');
    assertNoSecrets(listing, secrets, 'show tokens after regenerate');
  });

  test('show databases in every format, then delete database sensors --yes', async () => {
    const [pretty, json, csv] = await pool(
      ['pretty', 'json', 'csv'].map((format) => () => cli(['show', 'databases', '--format', format])),
    );
    if (!pretty || !json || !csv) throw new Error('missing results');
    assert.match(ok(pretty, 'show databases'), /sensors/);
    const dbs = JSON.parse(ok(json, 'show databases json')) as Array<Record<string, unknown>>;
    assert.deepEqual(
      dbs.map((db) => db['iox::database']),
      ['sensors'],
    );
    const csvLines = ok(csv, 'show databases csv').trim().split('\n');
    assert.equal(csvLines[0], 'iox::database,id,created_at,retention_period_ms');
    assert.match(csvLines[1] ?? '', /^sensors,\d+,/);

    const deleted = ok(await cli(['delete', 'database', 'sensors', '--yes']), 'delete database');
    assert.equal(deleted.trim(), "Database 'sensors' deleted.");
    const afterwards = ok(await cli(['show', 'databases', '--format', 'json']), 'show databases after delete');
    assert.deepEqual(JSON.parse(afterwards), []);
  });
});
