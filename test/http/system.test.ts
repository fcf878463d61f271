/**
 * `/health`, `/api/v1/health`, `/ping` and `/metrics`: each needs `system:<name>:read` (or an admin
 * token) unless exempted with `--disable-authz`; `/health` and `/ping` also answer any valid token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../helpers/http.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  dbPermission,
  disposeServers,
  metricValue,
  startServers,
  systemPermission,
  unknownToken,
  withBadChecksum,
} from './support.ts';

const PROBES = [
  { path: '/health', resource: 'health' },
  { path: '/api/v1/health', resource: 'health' },
  { path: '/ping', resource: 'ping' },
  { path: '/ready', resource: 'ready' },
  { path: '/metrics', resource: 'metrics' },
] as const;

const outcome = (name: string) => `fluxgate_auth_outcomes_total{outcome="${name}"}`;

/** Both servers (default, and with the probes exempted) start together on first use; both stop at the end. */
let started: Promise<ServerProcess[]> | undefined;
const servers = () => {
  started ??= startServers({}, { args: ['--disable-authz', 'health,ping,ready,metrics'] });
  return started;
};
after(() => disposeServers(started));

describe('system probes with authorization (the default)', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  /** db:*:read and no system right. */
  let databaseOnly: string;
  const single = new Map<string, string>();
  let allSystem: string;

  before(async () => {
    server = (await servers())[0]!;
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    databaseOnly = (await api.createDatabaseToken(operator, 'data', [dbPermission(['*'], ['read', 'write'])])).token;
    for (const resource of ['health', 'ping', 'ready', 'metrics']) {
      const issued = await api.createDatabaseToken(operator, `only-${resource}`, [systemPermission([resource])]);
      single.set(resource, issued.token);
    }
    allSystem = (await api.createDatabaseToken(operator, 'all-system', [systemPermission(['*'])])).token;
  });

  for (const { path, resource } of PROBES) {
    describe(`GET ${path}`, () => {
      test('without a token: 401 missing', async () => {
        assertError(await api.call('GET', path), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
      });

      if (resource === 'metrics') {
        test(`a database token without system:${resource}:read: 403 PERMISSION_DENIED`, async () => {
          assertError(await api.call('GET', path, { token: databaseOnly }), 403, 'PERMISSION_DENIED');
          for (const [other, token] of single) {
            if (other !== resource) assertError(await api.call('GET', path, { token }), 403, 'PERMISSION_DENIED');
          }
        });
      } else {
        test('any valid token, whatever its rights: 200 (the v1 clients ping with the token they read with)', async () => {
          const tokens: string[] = [databaseOnly, ...single.values()];
          for (const token of tokens) {
            const response: { status: number; text: string } = await api.call('GET', path, { token });
            assert.equal(response.status, 200, response.text);
          }
          assertError(await api.call('GET', path, { token: unknownToken() }), 401, 'TOKEN_UNKNOWN');
        });
      }

      test(`a token with system:${resource}:read, system:*:read or admin: 200`, async () => {
        for (const token of [single.get(resource), allSystem, operator]) {
          const response = await api.call('GET', path, { token });
          assert.equal(response.status, 200, response.text);
        }
      });
    });
  }

  test('/health and /api/v1/health answer OK', async () => {
    for (const path of ['/health', '/api/v1/health']) {
      assert.equal((await api.call('GET', path, { token: operator })).text, 'OK');
    }
  });

  test('/ready answers that the server is ready, since when and for how long', async () => {
    const response = await api.call<{ status: string; started: string; up: string }>('GET', '/ready', {
      token: single.get('ready'),
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.status, 'ready');
    assert.ok(Date.parse(response.body.started) <= Date.now());
    assert.match(response.body.up, /^\d+s$/);
  });

  test('/ping answers GET and POST with the X-Influxdb-Version header and the version', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await api.call<{ version: string }>(method, '/ping', { token: single.get('ping') });
      assert.equal(response.status, 200, `${method}: ${response.text}`);
      const version = response.headers.get('x-influxdb-version');
      assert.ok(version !== null && version.length > 0, 'X-Influxdb-Version is set');
      assert.equal(response.body.version, version);
    }
  });

  test('/metrics is Prometheus text with the fluxgate_auth_outcomes_total counter', async () => {
    const response = await api.call<string>('GET', '/metrics', { token: single.get('metrics') });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(response.text, /^# TYPE fluxgate_auth_outcomes_total counter$/m);
    assert.match(response.text, /^fluxgate_auth_outcomes_total\{outcome="ok"\} [1-9]/m);
  });

  test('the fluxgate_auth_outcomes_total counters move after failures', async () => {
    const read = async () => (await api.call<string>('GET', '/metrics', { token: operator })).text;
    const before = await read();
    await api.call('GET', '/health');
    await api.call('GET', '/health', { token: unknownToken() });
    await api.call('GET', '/health', { token: unknownToken() });
    await api.call('GET', '/health', { token: withBadChecksum(operator) });
    await api.call('GET', '/health', { headers: { authorization: 'Foo x' } });
    await api.call('GET', '/metrics', { token: databaseOnly });
    const after = await read();
    const delta = (name: string) => metricValue(after, outcome(name)) - metricValue(before, outcome(name));
    assert.equal(delta('missing'), 1, 'missing');
    assert.equal(delta('unknown'), 2, 'unknown');
    assert.equal(delta('malformed_token'), 1, 'malformed_token');
    assert.equal(delta('malformed_header'), 1, 'malformed_header');
    assert.equal(delta('forbidden'), 1, 'forbidden');
    assert.ok(delta('ok') >= 2, 'ok');
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});

describe('system probes with --disable-authz health,ping,ready,metrics', () => {
  let server: ServerProcess;
  let api: Api;

  before(async () => {
    server = (await servers())[1]!;
    api = new Api(server.url);
  });

  for (const { path } of PROBES) {
    test(`GET ${path} without a token: 200`, async () => {
      const response = await api.call('GET', path);
      assert.equal(response.status, 200, response.text);
    });
  }

  test('/ping still carries X-Influxdb-Version; /metrics is still Prometheus text', async () => {
    assert.ok((await api.call('GET', '/ping')).headers.get('x-influxdb-version'));
    assert.match((await api.call('GET', '/metrics')).text, /fluxgate_auth_outcomes_total|fluxgate_http_requests_total/);
  });

  test('everything else still needs a token', async () => {
    assertError(await api.call('GET', '/api/v3/configure/token'), 401, 'CREDENTIAL_MISSING');
    assertError(await api.call('GET', '/api/v3/configure/database'), 401, 'CREDENTIAL_MISSING');
    const operator = await bootstrap(server.url);
    api.remember(operator);
    assert.equal((await api.call('GET', '/api/v3/configure/database', { token: operator })).status, 200);
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
