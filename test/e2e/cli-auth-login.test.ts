import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loginCacheFile } from '../../src/cli/login-cache.ts';
import { bootstrap } from '../helpers/http.ts';
import { REPO_ROOT, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

/**
 * `fluxgate auth login` as a person runs it: the CLI prints a URL and a code, the person confirms
 * them on the provider's own pages (here: scripted form posts), the CLI's polling then gets the token.
 */
function login(
  env: Record<string, string>,
  confirm: (verificationUri: string) => Promise<void>,
  globalArgs: string[] = [],
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/fluxgate.js'), ...globalArgs, 'auth', 'login'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let confirming = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      const complete = /\(or open (\S+), which carries the code\)/.exec(stdout)?.[1];
      if (complete !== undefined && !confirming) {
        confirming = true;
        confirm(complete).catch((error) => {
          child.kill();
          reject(error);
        });
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('fluxgate auth login, status and logout', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    idp = await TestIdp.start({ pollIntervalSeconds: 1 });
    idp.setAccount({ sub: 'mia', groups: 'member', name: 'Mia', email: 'mia@example.com' });
    server = await startServerProcess({
      args: [
        '--oidc-issuer',
        idp.issuer,
        '--oidc-audience',
        idp.audience,
        '--oidc-client-id',
        idp.clientId,
        '--oidc-group-claim',
        'groups',
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'fluxgate-login-'));
    env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache'), FLUXGATE_HOST: server.url };
  });
  after(async () => {
    await server?.dispose();
    await idp?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('login prints the URL and code, opens nothing, polls, and caches the session 0600 in a 0700 directory', async () => {
    const result = await login(env, (uri) => idp.confirmDevice(uri, 'mia'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /open http:\/\/127\.0\.0\.1:\d+\/device in a browser and enter the code [A-Z]{4}-[A-Z]{4}/,
    );
    assert.match(result.stdout, /Logged in to http:\/\/127\.0\.0\.1:\d+ as Mia \(mia\), group member/);
    const dir = join(home, 'cache', 'fluxgate');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const [file] = readdirSync(dir);
    assert.ok(file !== undefined);
    assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
    assert.equal(join(dir, file), loginCacheFile(server.url, env));
    const cached = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    assert.equal(cached.subject, 'mia');
    assert.equal(cached.refreshToken, undefined);
    assert.ok(!result.stdout.includes(String(cached.accessToken)), 'login printed the token');
  });

  test('status says who, which group, and when the session expires', async () => {
    const status = await runCli(['auth', 'status'], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /user: +Mia \(mia\)/);
    assert.match(status.stdout, /group: +member/);
    assert.match(status.stdout, /expires: +\d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ min\)/);
  });

  test('management commands use the cached login last: --token and the environment come first', async () => {
    const operator = await bootstrap(server.url);
    // An explicit token wins over the cached session; a Member's session may not create databases.
    const withEnv = await runCli(['show', 'tokens', '--format', 'json'], { env: { ...env, FLUXGATE_TOKEN: operator } });
    assert.equal(withEnv.code, 0, withEnv.stderr);
    const withFlag = await runCli(['--token', operator, 'show', 'tokens', '--format', 'json'], { env });
    assert.equal(withFlag.code, 0, withFlag.stderr);
    const withSession = await runCli(['create', 'database', 'members-may-not'], { env });
    assert.notEqual(withSession.code, 0);
    assert.match(withSession.stderr, /403/);
    assert.ok(existsSync(loginCacheFile(server.url, env)), 'a 403 must not drop the login');
  });

  test('a 401 to the cached session drops it and says to log in again', async () => {
    const file = loginCacheFile(server.url, env);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    cached.accessToken = await idp.signWithUnpublishedKey(idp.claimsFor('mia'));
    writeFileSync(file, JSON.stringify(cached), { mode: 0o600 });
    const result = await runCli(['show', 'tokens'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /401 .*the cached sign-in was removed: run `fluxgate auth login` again/);
    assert.equal(existsSync(file), false);
    const status = await runCli(['auth', 'status'], { env });
    assert.equal(status.code, 1);
    assert.match(status.stderr, /not logged in to http:\/\/127\.0\.0\.1:\d+: run `fluxgate auth login`/);
  });

  test('logout removes the cached session', async () => {
    const again = await login(env, (uri) => idp.confirmDevice(uri, 'mia'));
    assert.equal(again.code, 0, again.stderr);
    const logout = await runCli(['auth', 'logout'], { env });
    assert.equal(logout.code, 0);
    assert.match(logout.stdout, /Logged out of http:\/\/127\.0\.0\.1:\d+\./);
    assert.equal(existsSync(loginCacheFile(server.url, env)), false);
    const twice = await runCli(['auth', 'logout'], { env });
    assert.match(twice.stdout, /Not logged in/);
  });

  test('login against a server without --oidc-issuer says so', async () => {
    const plain = await startServerProcess();
    try {
      const result = await runCli(['auth', 'login'], { env: { ...env, FLUXGATE_HOST: plain.url } });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /does not accept identity provider sign-ins/);
    } finally {
      await plain.dispose();
    }
  });
});

describe('auth login with the profile’s [profile.auth.oauth2]', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  let home: string;
  after(async () => {
    await server?.dispose();
    await idp?.stop();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  test('client_id, device_url and token_url from the profile override what the server advertises', async () => {
    idp = await TestIdp.start({ pollIntervalSeconds: 1 });
    idp.setAccount({ sub: 'ada', groups: 'auditor', name: 'Ada' });
    // No --oidc-client-id: the server names no client, so only the profile can.
    server = await startServerProcess({
      args: ['--oidc-issuer', idp.issuer, '--oidc-audience', idp.audience, '--oidc-group-claim', 'groups'],
    });
    home = mkdtempSync(join(tmpdir(), 'fluxgate-login-profile-'));
    const env = { HOME: home, XDG_CACHE_HOME: join(home, 'cache') };
    const without = await runCli(['--host', server.url, 'auth', 'login'], { env });
    assert.equal(without.code, 1);
    assert.match(without.stderr, /names no OAuth client for the CLI .*set client_id in \[profile\.auth\.oauth2\]/);

    const config = join(home, 'config.toml');
    writeFileSync(
      config,
      [
        '[[profile]]',
        '  name = "default"',
        `  host = "${server.url}"`,
        '  [profile.auth.oauth2]',
        `    client_id = "${idp.clientId}"`,
        '    scopes = ["openid", "profile"]',
        `    device_url = "${idp.issuer}/device/auth"`,
        `    token_url = "${idp.issuer}/token"`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const withProfile = await login(env, (uri) => idp.confirmDevice(uri, 'ada'), ['--config', config]);
    assert.equal(withProfile.code, 0, withProfile.stderr);
    assert.match(withProfile.stdout, /as Ada \(ada\), group auditor/);
    const status = await runCli(['--config', config, 'auth', 'status'], { env });
    assert.match(status.stdout, /group: +auditor/);
  });
});
