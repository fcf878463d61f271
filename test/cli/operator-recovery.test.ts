/**
 * Getting (back) an operator token: `serve --admin-token-file` with a file from
 * `create token --admin --offline`, the one-shot `--admin-token-recovery-http-bind` listener, and
 * `admin recover` straight on a stopped server's data directory.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/free-port.ts';
import { bootstrap, call } from '../helpers/http.ts';
import { ScratchDatabase } from '../helpers/postgres.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { assertNoSecrets, fails, issuedFromJson, ok, pool, secretFromText } from './cli-assertions.ts';

interface ListedToken {
  name: string;
  kind: string;
  status: string;
}

/** Writes a token file with the CLI and returns its path and secret. */
async function offlineTokenFile(
  dir: string,
  file: string,
  extra: string[] = [],
): Promise<{ path: string; token: string }> {
  const path = join(dir, file);
  ok(await runCli(['create', 'token', '--admin', '--offline', '--output-file', path, ...extra]), 'offline token file');
  return { path, token: (JSON.parse(readFileSync(path, 'utf8')) as { token: string }).token };
}

const listTokens = (base: string, token: string) =>
  call<ListedToken[]>(base, 'GET', '/api/v3/configure/token', { token });

describe('serve --admin-token-file and --admin-token-recovery-http-bind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-cli-recovery-'));
  let server: ServerProcess;
  let fileToken = '';
  let recoveryPort = 0;
  let recovered = '';

  before(async () => {
    const file = await offlineTokenFile(dir, 'admin.json');
    fileToken = file.token;
    recoveryPort = await freePort();
    server = await startServerProcess({
      args: ['--admin-token-file', file.path, '--admin-token-recovery-http-bind', `127.0.0.1:${recoveryPort}`],
    });
  });

  after(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the token from the file is the operator token', async () => {
    const list = await listTokens(server.url, fileToken);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((t) => [t.name, t.kind, t.status]),
      [['_admin', 'operator', 'active']],
    );
    const stdout = ok(
      await runCli(['show', 'tokens', '--format', 'csv'], {
        env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: fileToken },
      }),
      'show tokens with the file token',
    );
    assert.match(stdout, /^1,_admin,operator,active,/m);
    assertNoSecrets(stdout, [fileToken], 'show tokens');
  });

  test('the recovery listener regenerates the operator token once without a token, then closes', async () => {
    assert.equal(server.recoveryUrl, `http://127.0.0.1:${recoveryPort}`);
    const base = `http://127.0.0.1:${recoveryPort}`;
    const other = await call(base, 'GET', '/api/v3/configure/token/admin/regenerate');
    assert.equal(other.status, 404, 'only POST to the regenerate path is served');

    const first = await call<{ token: string; name: string; kind: string }>(
      base,
      'POST',
      '/api/v3/configure/token/admin/regenerate',
    );
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.name, '_admin');
    assert.match(first.body.token, /^fgo_/);
    recovered = first.body.token;

    // The listener is closed: a second attempt must not regenerate again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    let second: number | string;
    try {
      second = (await call(base, 'POST', '/api/v3/configure/token/admin/regenerate')).status;
    } catch (error) {
      second = String((error as { cause?: { code?: string } }).cause?.code ?? error);
    }
    assert.equal(second, 'ECONNREFUSED', 'the second attempt finds no listener');

    const [withNew, withOld] = await Promise.all([
      listTokens(server.url, recovered),
      listTokens(server.url, fileToken),
    ]);
    assert.equal(withNew.status, 200, 'the recovered operator token works');
    assert.equal(withOld.status, 401, 'the old operator token is dead');
  });

  test('the CLI works with the recovered token and not with the old one', async () => {
    const [good, stale] = await Promise.all([
      runCli(['show', 'tokens', '--format', 'json'], { env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: recovered } }),
      runCli(['show', 'tokens'], { env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: fileToken } }),
    ]);
    const stdout = ok(good, 'show tokens with the recovered token');
    assert.deepEqual(
      (JSON.parse(stdout) as ListedToken[]).map((t) => [t.name, t.status]),
      [['_admin', 'active']],
    );
    assertNoSecrets(stdout, [fileToken, recovered], 'show tokens');
    fails(stale, 'show tokens with the replaced file token', /401/);
  });
});

describe('the recovery listener under concurrent requests', () => {
  let server: ServerProcess;
  let port = 0;

  before(async () => {
    port = await freePort();
    server = await startServerProcess({ args: ['--admin-token-recovery-http-bind', `127.0.0.1:${port}`] });
  });

  after(async () => {
    await server?.dispose();
  });

  test('three simultaneous POSTs: exactly one regenerates (201), the listener is one-shot', async () => {
    const lost = await bootstrap(server.url);
    const base = `http://127.0.0.1:${port}`;
    const attempts = await Promise.allSettled(
      [1, 2, 3].map(() => call<{ token: string }>(base, 'POST', '/api/v3/configure/token/admin/regenerate')),
    );
    const created = attempts.flatMap((a) =>
      a.status === 'fulfilled' && a.value.status === 201 ? [a.value.body.token] : [],
    );
    const outcomes = attempts.map((a) => (a.status === 'fulfilled' ? a.value.status : 'connection failed'));
    assert.equal(created.length, 1, `one operator token regeneration, got outcomes ${JSON.stringify(outcomes)}`);
    assert.equal((await listTokens(server.url, created[0]!)).status, 200, 'the one issued token works');
    assert.equal((await listTokens(server.url, lost)).status, 401, 'the old operator token is dead');
  });
});

describe('admin recover on a stopped server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-cli-admin-recover-'));
  const dataDir = join(dir, 'data');
  let server: ServerProcess | undefined;
  let serveArgs: string[] = [];
  let opsToken = '';
  let operator = '';

  before(async () => {
    const file = await offlineTokenFile(dir, 'ops.json', ['--name', 'ops', '--expiry', '1d']);
    opsToken = file.token;
    serveArgs = ['--admin-token-file', file.path];
    server = await startServerProcess({ dataDir, args: serveArgs });
  });

  after(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a named admin token from a file with an expiry works; create token --admin --format json bootstraps', async () => {
    const running = server!;
    const ops = await listTokens(running.url, opsToken);
    assert.equal(ops.status, 200, 'the ops token from the file is an admin token');
    assert.deepEqual(
      ops.body.map((t) => [t.name, t.kind]),
      [['ops', 'admin']],
    );

    const issued = issuedFromJson(
      ok(
        await runCli(['create', 'token', '--admin', '--format', 'json'], { env: { FLUXGATE_HOST: running.url } }),
        'create token --admin --format json',
      ),
    );
    assert.equal(issued.name, '_admin');
    assert.equal(issued.kind, 'operator');
    assert.equal(issued.expiry, null);
    operator = issued.token;
    assert.equal((await listTokens(running.url, operator)).status, 200, 'the printed operator token works');
  });

  test('admin recover refuses without --yes and no terminal', async () => {
    const refused = await runCli(['admin', 'recover', '--data-dir', dataDir], { input: 'yes\n' });
    fails(refused, 'admin recover without --yes', /--yes/);
  });

  test('admin recover --data-dir D --yes prints a new operator token; after a restart only it works', async () => {
    assert.equal(await server!.stop(), 0, 'the server stops cleanly');
    server = undefined;

    const stdout = ok(await runCli(['admin', 'recover', '--data-dir', dataDir, '--yes']), 'admin recover');
    const recovered = secretFromText(stdout);
    assert.match(recovered, /^fgo_/);
    assert.notEqual(recovered, operator);
    assertNoSecrets(stdout, [operator, opsToken], 'admin recover output');

    server = await startServerProcess({ dataDir, args: serveArgs });
    const [withNew, withOld, withOps] = await Promise.all([
      listTokens(server.url, recovered),
      listTokens(server.url, operator),
      listTokens(server.url, opsToken),
    ]);
    assert.equal(withNew.status, 200, 'the recovered operator token works');
    assert.equal(withOld.status, 401, 'the old operator token is dead');
    assert.equal(withOps.status, 200, 'other admin tokens are untouched');
    assert.deepEqual(withNew.body.map((t) => [t.name, t.status]).sort(), [
      ['_admin', 'active'],
      ['ops', 'active'],
    ]);
    assert.match(server.output(), /admin token file skipped/, 'the stale file does not re-import ops');
  });

  test('admin recover on a catalog without an operator token creates one (--format json)', async () => {
    const fresh = join(dir, 'fresh');
    const first = await startServerProcess({ dataDir: fresh });
    assert.equal(await first.stop(), 0, 'a server that never got a token leaves an empty catalog');
    const issued = issuedFromJson(
      ok(await runCli(['admin', 'recover', '--data-dir', fresh, '--yes', '--format', 'json']), 'recover fresh'),
    );
    assert.equal(issued.name, '_admin');
    assert.equal(issued.kind, 'operator');
    const fresher = await startServerProcess({ dataDir: fresh });
    try {
      assert.equal((await listTokens(fresher.url, issued.token)).status, 200, 'the created operator token works');
    } finally {
      await fresher.stop();
    }
  });

  test('admin recover refuses a place with no catalog and creates nothing there', async () => {
    const typo = join(dir, 'typo');
    const missingFile = join(dir, 'nowhere', 'catalog.sqlite');
    const empty = new ScratchDatabase();
    await empty.ensure();
    try {
      const [noDir, noFile, noSchema] = await pool([
        () => runCli(['admin', 'recover', '--data-dir', typo, '--yes']),
        () => runCli(['admin', 'recover', '--catalog', missingFile, '--yes']),
        () => runCli(['admin', 'recover', '--catalog', empty.url, '--yes']),
      ]);
      fails(noDir!, 'a --data-dir with no catalog', /no catalog in/, new RegExp(typo), /--data-dir/);
      fails(noFile!, 'a --catalog file that does not exist', /no catalog at/, /nowhere/, /--catalog/);
      fails(noSchema!, 'a PostgreSQL database with no catalog', /holds no fluxgate catalog/, new RegExp(empty.name));
      assert.equal(existsSync(typo), false, 'the mistyped directory was not created');
      assert.equal(existsSync(join(dir, 'nowhere')), false);
      const tables = await empty.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      assert.deepEqual(tables, [{ n: 0 }], 'no catalog tables were created in the empty database');
    } finally {
      await empty.drop();
    }
  });
});
