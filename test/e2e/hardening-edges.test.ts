/**
 * Issue 12, found by trying to break a real `fluxgate serve` from outside: `Object.prototype` names as
 * actions (8), a token through a percent-encoded query key (6), two Authorization headers (14), the
 * recovery listener reached with a foreign Host or Origin (11), a revoked imported admin token at
 * restart (13), revoked tokens after a restart and behind the throttle (12), guesses spread over many
 * addresses (10), and slow, idle and too many connections (4). Each against a real server process.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateToken } from '../../src/domain/token-format.ts';
import { freePort } from '../helpers/free-port.ts';
import { bootstrap } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  callFrom,
  canUseSourceAddress,
  dbPermission,
  type IssuedTokenJson,
  systemPermission,
  unknownToken,
  waitForOutput,
} from '../http/support.ts';

/** A raw HTTP/1.1 exchange over one socket: what was answered, and whether the server closed it. */
function rawRequest(base: string, text: string, waitMs = 2000): Promise<{ response: string; closed: boolean }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, waitMs);
    socket.on('data', (chunk) => {
      response += chunk.toString();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closed: true });
    });
    // A reset counts as closed: the caller asserts on what was answered before it.
    socket.on('error', () => {});
    socket.write(text);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

/** Opens a socket and resolves once it is connected. */
function openSocket(base: string): Promise<Socket> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.off('error', reject);
      // A reset by the server is what some tests wait for; it must not fail the run.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** Resolves with the ms until the server closes `socket` (or `limitMs` if it does not). */
function closedWithin(socket: Socket, limitMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => resolve(limitMs), limitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.on('error', () => {});
    socket.resume();
  });
}

describe('hardening at the edges (issue 12)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-hardening-'));
  const dataDir = join(dir, 'data');
  const tokenFile = join(dir, 'provisioned.json');
  const provisioned = generateToken('admin');
  let recoveryPort = 0;
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  let reader: IssuedTokenJson;
  const logs: string[] = [];

  const args = () => [
    '--admin-token-file',
    tokenFile,
    '--admin-token-recovery-http-bind',
    `127.0.0.1:${recoveryPort}`,
    '--auth-failure-limit',
    '3',
    '--auth-failure-global-limit',
    '40',
    '--http-header-timeout',
    '2s',
    '--http-request-timeout',
    '3s',
    '--http-keep-alive-timeout',
    '1s',
    '--max-connections',
    '40',
  ];

  before(async () => {
    writeFileSync(tokenFile, JSON.stringify({ token: provisioned, name: 'provisioned' }));
    chmodSync(tokenFile, 0o600);
    recoveryPort = await freePort();
    server = await startServerProcess({ dataDir, args: args() });
    api = new Api(server.url);
    api.remember(provisioned);
    operator = await bootstrap(server.url);
    api.remember(operator);
    await api.createDatabase(operator, 'a');
    reader = await api.createDatabaseToken(operator, 'reader', [dbPermission(['a'], ['read', 'write'])]);
  });

  after(async () => {
    if (server !== undefined) logs.push(server.output());
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('item 8: Object.prototype names are not actions or resources', () => {
    for (const action of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      test(`db action '${action}' is a 400 naming permissions[0].actions`, async () => {
        const response = await api.call('POST', '/api/v3/enterprise/configure/token', {
          token: operator,
          json: { token_name: `t-${action}`, permissions: [dbPermission(['a'], [action])] },
        });
        assertError(response, 400, 'INVALID_PERMISSION', { field: 'permissions[0].actions' });
      });
    }

    test("system resource 'constructor' is a 400 naming permissions[0].resource_names", async () => {
      const response = await api.call('POST', '/api/v3/enterprise/configure/token', {
        token: operator,
        json: { token_name: 't-system', permissions: [systemPermission(['constructor'])] },
      });
      assertError(response, 400, 'INVALID_PERMISSION', { field: 'permissions[0].resource_names' });
    });

    for (const precision of ['constructor', 'toString', '__proto__']) {
      test(`/write?precision=${precision} is a 400 naming precision`, async () => {
        const response = await api.call('POST', `/write?db=a&precision=${precision}`, {
          token: reader.token,
          body: 'm f=1 1',
        });
        assert.equal(response.status, 400, response.text);
        assert.match(response.text, /precision/);
      });
    }
  });

  describe('item 6: a token in a percent-encoded query key never reaches the log', () => {
    for (const key of ['%70', '%50', 'p', '%74oken']) {
      test(`/write?db=a&${key}=TOKEN is logged redacted`, async () => {
        const token = reader.token;
        const response = await api.call('POST', `/write?db=a&${key}=${token}`, { body: 'm f=1 1' });
        assert.ok(response.status < 500, response.text);
        assert.ok(await waitForOutput(server, `${key}=REDACTED`), `the request line shows ${key}=REDACTED`);
        assert.ok(!server.output().includes(token), 'the token is not in the log');
      });
    }
  });

  describe('item 14: two Authorization headers', () => {
    test('are refused with 400 MALFORMED_CREDENTIAL, whichever comes first', async () => {
      const unknown = unknownToken();
      for (const [first, second] of [
        [reader.token, unknown],
        [unknown, reader.token],
      ]) {
        const { response } = await rawRequest(
          server.url,
          `GET /api/v3/query_sql?db=a&q=select+1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${first}\r\nAuthorization: Bearer ${second}\r\nConnection: close\r\n\r\n`,
        );
        assert.equal(statusOf(response), 400, response);
        assert.match(response, /MALFORMED_CREDENTIAL/);
        assert.match(response, /more than one Authorization header/);
      }
    });

    test('one Authorization header still works', async () => {
      const { response } = await rawRequest(
        server.url,
        `GET /api/v3/query_sql?db=a&q=select+1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${reader.token}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(response), 200, response);
    });
  });

  describe('item 11: the recovery listener answers this machine only', () => {
    const regenerate = (headers: string) =>
      rawRequest(
        `http://127.0.0.1:${recoveryPort}`,
        `POST /api/v3/configure/token/admin/regenerate HTTP/1.1\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      );

    test('a foreign Host (DNS rebinding) is refused with 403 and does not use up the one shot', async () => {
      const { response } = await regenerate('Host: attacker.example\r\n');
      assert.equal(statusOf(response), 403, response);
      assert.match(response, /Host/);
    });

    test('a cross-origin request is refused, even with a loopback Host', async () => {
      const port = recoveryPort;
      for (const headers of [
        `Host: 127.0.0.1:${port}\r\nOrigin: http://attacker.example\r\n`,
        `Host: localhost:${port}\r\nOrigin: null\r\n`,
        `Host: 127.0.0.1:${port}\r\nSec-Fetch-Site: cross-site\r\n`,
      ]) {
        const { response } = await regenerate(headers);
        assert.equal(statusOf(response), 403, `${headers}: ${response}`);
      }
      const list = await api.call('GET', '/api/v3/configure/token', { token: operator });
      assert.equal(list.status, 200, 'the operator token is unchanged');
    });

    test('a loopback Host without Origin (curl) still recovers', async () => {
      const { response } = await regenerate(`Host: 127.0.0.1:${recoveryPort}\r\n`);
      assert.equal(statusOf(response), 201, response);
      const issued = JSON.parse(/\{[^\r\n]*\}/.exec(response)?.[0] ?? '') as { token: string };
      api.remember(issued.token);
      assertError(await api.call('GET', '/api/v3/configure/token', { token: operator }), 401, 'TOKEN_REVOKED');
      operator = issued.token;
    });

    test('serve refuses a non-loopback --admin-token-recovery-http-bind', async () => {
      for (const bind of ['0.0.0.0:0', ':0', '10.1.2.3:0']) {
        const result = await runCli([
          'serve',
          '--data-dir',
          join(dir, 'never'),
          '--http-bind',
          '127.0.0.1:0',
          '--admin-token-recovery-http-bind',
          bind,
        ]);
        assert.notEqual(result.code, 0, `${bind}: ${result.stdout}`);
        assert.match(result.stdout + result.stderr, /admin-token-recovery-http-bind.*loopback/);
      }
    });

    test('serve refuses a timeout longer than a timer holds (it would stop every query at once)', async () => {
      const result = await runCli(['serve', '--data-dir', join(dir, 'never'), '--query-timeout', '30d']);
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stdout + result.stderr, /--query-timeout: '30d' is longer than the 24 days/);
    });
  });

  describe('item 12: the throttle never hides a revocation', () => {
    test('a blocked source gets 429 for guesses but 401 TOKEN_REVOKED for a revoked token', async (t) => {
      if (!(await canUseSourceAddress('127.0.0.21', server.url))) return t.skip('no 127.0.0.21 here');
      const gone = await api.createDatabaseToken(operator, 'gone', [dbPermission(['a'], ['read'])]);
      await api.revokeToken(operator, 'gone');
      let throttled = false;
      for (let i = 0; i < 6 && !throttled; i++) {
        const r = await callFrom('127.0.0.21', server.url, 'GET', '/api/v3/configure/token', { token: unknownToken() });
        throttled = r.status === 429;
      }
      assert.ok(throttled, 'the source is blocked');
      for (let i = 0; i < 3; i++) {
        const r = await callFrom('127.0.0.21', server.url, 'GET', '/api/v3/query_sql?db=a&q=select+1', {
          token: gone.token,
        });
        assertError(r, 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      }
      const ok = await callFrom('127.0.0.21', server.url, 'GET', '/api/v3/query_sql?db=a&q=select+1', {
        token: reader.token,
      });
      assert.equal(ok.status, 200, 'a valid token still works from a blocked source');
    });
  });

  describe('item 10: guesses spread over many addresses', () => {
    test('300 unknown tokens from 300 loopback addresses end in 429 (the global ceiling)', async (t) => {
      if (!(await canUseSourceAddress('127.0.1.1', server.url))) return t.skip('no 127.0.1.x here');
      const statuses: number[] = [];
      // In batches, to stay under --max-connections.
      for (let batch = 0; batch < 300; batch += 20) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, j) => {
            const i = batch + j;
            const source = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
            return callFrom(source, server.url, 'GET', '/api/v3/configure/token', {
              token: unknownToken(),
              headers: { connection: 'close' },
            }).then((r) => r.status);
          }),
        );
        statuses.push(...answers);
      }
      assert.ok(statuses.includes(429), `some were throttled: ${[...new Set(statuses)].join(',')}`);
      assert.ok(
        statuses.every((s) => s === 401 || s === 429),
        [...new Set(statuses)].join(','),
      );
      const ok = await api.call('GET', '/api/v3/query_sql?db=a&q=select+1', { token: reader.token });
      assert.equal(ok.status, 200, 'valid tokens are not affected');
    });
  });

  describe('item 4: slow, idle and too many connections', () => {
    test('a client trickling header lines is closed after --http-header-timeout (2 s)', async () => {
      const socket = await openSocket(server.url);
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 300);
      const ms = await closedWithin(socket, 8000);
      clearInterval(trickle);
      assert.ok(ms < 6000, `closed after ${ms} ms`);
    });

    test('a request body that trickles in is cut after --http-request-timeout (3 s)', async () => {
      const socket = await openSocket(server.url);
      socket.write(
        `POST /write?db=a HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${reader.token}\r\nContent-Length: 100000\r\n\r\n`,
      );
      const trickle = setInterval(() => socket.writable && socket.write('m f=1 1\n'), 200);
      const ms = await closedWithin(socket, 10_000);
      clearInterval(trickle);
      assert.ok(ms < 7000, `closed after ${ms} ms`);
    });

    test('an idle keep-alive connection is closed after --http-keep-alive-timeout (1 s)', async () => {
      const socket = await openSocket(server.url);
      socket.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const ms = await closedWithin(socket, 6000);
      assert.ok(ms < 4000, `closed after ${ms} ms`);
    });

    test('past --max-connections (40) new connections are refused, and requests work again once they go', async () => {
      const held: Socket[] = [];
      let refused = 0;
      for (let i = 0; i < 45; i++) {
        const socket = await openSocket(server.url);
        socket.on('close', () => refused++);
        socket.resume();
        held.push(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const probe = await rawRequest(
        server.url,
        'GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
        500,
      );
      assert.ok(refused >= 4 || probe.response === '', `over the cap: ${refused} closed, probe '${probe.response}'`);
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await rawRequest(server.url, 'GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      assert.equal(statusOf(after.response) < 500 && statusOf(after.response) > 0, true, after.response);
    });
  });

  describe('items 12 and 13: a restart keeps revocations', () => {
    test('revoke the imported admin token, restart with the same file: the server starts and warns', async () => {
      const revoked = await api.createDatabaseToken(operator, 'revoked-before-restart', [
        dbPermission(['a'], ['read']),
      ]);
      await api.revokeToken(operator, 'revoked-before-restart');
      await api.revokeToken(operator, 'provisioned');
      logs.push(server.output());
      await server.stop();
      server = await startServerProcess({ dataDir, args: args() });
      api = new Api(server.url);
      assert.ok(
        await waitForOutput(server, 'admin token file skipped: its token was revoked'),
        'a warning names the skipped file',
      );
      assertError(await api.call('GET', '/api/v3/configure/token', { token: provisioned }), 401, 'TOKEN_REVOKED', {
        reason: 'revoked',
      });
      assertError(
        await api.call('GET', '/api/v3/query_sql?db=a&q=select+1', { token: revoked.token }),
        401,
        'TOKEN_REVOKED',
        { reason: 'revoked' },
      );
      const ok = await api.call('GET', '/api/v3/query_sql?db=a&q=select+1', { token: reader.token });
      assert.equal(ok.status, 200, ok.text);
    });

    test('no secret reached the log', async () => {
      const secrets = [...api.secrets, provisioned, reader.token, operator];
      await assertNoSecretsLogged(server, secrets);
      for (const log of logs) for (const secret of secrets) assert.ok(!log.includes(secret), 'an earlier log is clean');
    });
  });
});

describe('item 11: the unauthenticated first-boot endpoint answers this machine only', () => {
  let fresh: ServerProcess | undefined;
  after(() => fresh?.dispose());

  test('a foreign Host or a cross-origin request cannot create the first operator token; curl from here can', async () => {
    fresh = await startServerProcess();
    const create = (headers: string) =>
      rawRequest(
        fresh!.url,
        `POST /api/v3/configure/token/admin HTTP/1.1\r\n${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    const port = new URL(fresh.url).port;
    for (const headers of [
      'Host: attacker.example\r\n',
      `Host: 127.0.0.1:${port}\r\nOrigin: http://attacker.example\r\n`,
      `Host: 127.0.0.1:${port}\r\nSec-Fetch-Site: cross-site\r\n`,
    ]) {
      const { response } = await create(headers);
      assert.equal(statusOf(response), 403, `${headers}: ${response}`);
      assert.match(response, /BOOTSTRAP_NOT_LOCAL/);
    }
    const { response } = await create(`Host: 127.0.0.1:${port}\r\n`);
    assert.equal(statusOf(response), 201, response);
  });
});
