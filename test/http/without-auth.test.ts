/**
 * `fluxgate serve --without-auth`: every token endpoint answers 405 AUTH_DISABLED, and everything
 * else works without a token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { Api, assertError, type DatabaseJson, dbPermission } from './support.ts';

describe('--without-auth', () => {
  let server: ServerProcess;
  let api: Api;

  before(async () => {
    server = await startServerProcess({ args: ['--without-auth'] });
    api = new Api(server.url);
  });
  after(() => server?.dispose());

  const tokenEndpoints: Array<[string, string, unknown]> = [
    ['POST', '/api/v3/configure/token/admin', undefined],
    ['POST', '/api/v3/configure/token/admin', { name: 'x' }],
    ['POST', '/api/v3/configure/token/admin/regenerate', undefined],
    ['POST', '/api/v3/configure/token/named_admin', { token_name: 'x' }],
    ['POST', '/api/v3/enterprise/configure/token', { token_name: 'x', permissions: [dbPermission(['*'], ['read'])] }],
    ['GET', '/api/v3/configure/token', undefined],
    ['DELETE', '/api/v3/configure/token?token_name=x', undefined],
  ];
  for (const [method, path, json] of tokenEndpoints) {
    test(`${method} ${path}${json === undefined ? '' : ` ${JSON.stringify(json)}`}: 405 AUTH_DISABLED`, async () => {
      assertError(await api.call(method, path, { json }), 405, 'AUTH_DISABLED');
    });
  }

  test('databases can be created, listed and deleted without a token', async () => {
    const created = await api.call<DatabaseJson>('POST', '/api/v3/configure/database', { json: { db: 'open' } });
    assert.equal(created.status, 201, created.text);
    const list = await api.call<DatabaseJson[]>('GET', '/api/v3/configure/database');
    assert.deepEqual(
      list.body.map((db) => db['iox::database']),
      ['open'],
    );
    assert.equal((await api.call('DELETE', '/api/v3/configure/database?db=open')).status, 200);
  });

  test('the probes answer without a token', async () => {
    for (const path of ['/health', '/api/v1/health', '/ping', '/metrics']) {
      assert.equal((await api.call('GET', path)).status, 200, path);
    }
  });

  test('the server warns in its log that it runs without authentication', () => {
    assert.match(server.output(), /"level":40.*WITHOUT authentication/);
  });
});
