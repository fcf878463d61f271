/**
 * `POST /api/v3/enterprise/configure/token` `{token_name, permissions: [{resource_type, resource_names,
 * actions}], expiry_secs?}`: database tokens, their permission grammar, and every status it answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  type DatabaseJson,
  dbPermission,
  type IssuedTokenJson,
  type Permission,
  systemPermission,
  unknownToken,
} from './support.ts';

const CREATE = '/api/v3/enterprise/configure/token';

describe('POST /api/v3/enterprise/configure/token', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  let reader: IssuedTokenJson;

  before(async () => {
    server = await startServerProcess();
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    await api.createDatabase(operator, 'sensors');
    await api.createDatabase(operator, 'weather');
  });
  after(() => server?.dispose());

  const create = (json: unknown, token = operator) => api.call<IssuedTokenJson>('POST', CREATE, { token, json });
  const withPermissions = (permissions: unknown[]) => create({ token_name: 'probe', permissions });

  test('201 with the permissions echoed as strings, and a database token that works at once', async () => {
    const response = await create({
      token_name: 'reader',
      permissions: [dbPermission(['sensors'], ['read', 'write'])],
    });
    assert.equal(response.status, 201, response.text);
    reader = response.body;
    assert.equal(reader.name, 'reader');
    assert.equal(reader.kind, 'database');
    assert.deepEqual(reader.permissions, ['db:sensors:read,write']);
    assert.equal(reader.expiry, null);
    assert.match(reader.token, /^fgd_[0-9A-Za-z]{49}$/);

    const databases = await api.call<DatabaseJson[]>('GET', '/api/v3/configure/database', { token: reader.token });
    assert.equal(databases.status, 200, databases.text);
    assert.deepEqual(
      databases.body.map((db) => db['iox::database']),
      ['sensors'],
    );
  });

  test('several permissions, a wildcard database and system resources, with expiry_secs: 201', async () => {
    const response = await create({
      token_name: 'monitor',
      permissions: [
        dbPermission(['*'], ['read']),
        dbPermission(['sensors', 'weather'], ['write']),
        systemPermission(['health', 'ping']),
      ],
      expiry_secs: 3600,
    });
    assert.equal(response.status, 201, response.text);
    assert.deepEqual(response.body.permissions, ['db:*:read', 'db:sensors,weather:write', 'system:health,ping:read']);
    assert.notEqual(response.body.expiry, null);
    assert.equal((await api.call('GET', '/health', { token: response.body.token })).status, 200);
    assert.equal((await api.call('GET', '/ping', { token: response.body.token })).status, 200);
    assertError(await api.call('GET', '/metrics', { token: response.body.token }), 403, 'PERMISSION_DENIED');
  });

  const invalid: Array<[string, Permission | unknown, string]> = [
    [
      'an unknown resource type',
      { resource_type: 'table', resource_names: ['sensors'], actions: ['read'] },
      'permissions[0].resource_type',
    ],
    [
      'the * resource type with names',
      { resource_type: '*', resource_names: ['sensors'], actions: ['read'] },
      'permissions[0].resource_type',
    ],
    [
      '*:*:* (admin) in a database token',
      { resource_type: '*', resource_names: ['*'], actions: ['*'] },
      'permissions[0]',
    ],
    ['an unknown database action', dbPermission(['sensors'], ['read', 'fly']), 'permissions[0].actions'],
    ['an unknown database', dbPermission(['nowhere'], ['read']), 'permissions[0].resource_names'],
    ['the wildcard mixed with names', dbPermission(['*', 'sensors'], ['read']), 'permissions[0].resource_names'],
    ['an empty resource_names list', dbPermission([], ['read']), 'permissions[0].resource_names'],
    ['an empty actions list', dbPermission(['sensors'], []), 'permissions[0].actions'],
    ['an empty resource name', dbPermission([''], ['read']), 'permissions[0].resource_names'],
    [
      'a system action other than read',
      { resource_type: 'system', resource_names: ['health'], actions: ['write'] },
      'permissions[0].actions',
    ],
    ['an unknown system resource', systemPermission(['disk']), 'permissions[0].resource_names'],
    ['a permission string instead of an object', 'db:sensors:read', 'permissions[0]'],
    [
      'an unknown field in a permission',
      { ...dbPermission(['sensors'], ['read']), tables: ['t'] },
      'permissions[0].tables',
    ],
    ['a missing actions field', { resource_type: 'db', resource_names: ['sensors'] }, 'permissions[0].actions'],
  ];
  for (const [label, permission, field] of invalid) {
    test(`${label}: 400 INVALID_PERMISSION naming ${field}`, async () => {
      assertError(await withPermissions([permission]), 400, 'INVALID_PERMISSION', { field });
    });
  }

  test('the field names the position of the bad permission', async () => {
    const response = await withPermissions([dbPermission(['sensors'], ['read']), dbPermission(['weather'], ['drop'])]);
    assertError(response, 400, 'INVALID_PERMISSION', { field: 'permissions[1].actions' });
  });

  test('an empty permissions list: 400 INVALID_PERMISSION naming permissions', async () => {
    assertError(await withPermissions([]), 400, 'INVALID_PERMISSION', { field: 'permissions' });
  });

  test('no permissions, or permissions that are not a list: 400 INVALID_INPUT naming permissions', async () => {
    assertError(await create({ token_name: 'probe' }), 400, 'INVALID_INPUT', { field: 'permissions' });
    assertError(await create({ token_name: 'probe', permissions: 'db:sensors:read' }), 400, 'INVALID_INPUT', {
      field: 'permissions',
    });
  });

  test('none of the refused requests created a token', async () => {
    const list = await api.call<Array<{ name: string }>>('GET', '/api/v3/configure/token', { token: operator });
    assert.ok(!list.body.some((t) => t.name === 'probe'));
  });

  test('a database token cannot create tokens: 403 PERMISSION_DENIED, even for a subset of its rights', async () => {
    assertError(
      await create({ token_name: 'child', permissions: [dbPermission(['sensors'], ['read'])] }, reader.token),
      403,
      'PERMISSION_DENIED',
    );
  });

  test('without a token: 401 missing; with an unknown token: 401 unknown', async () => {
    const json = { token_name: 'anon', permissions: [dbPermission(['sensors'], ['read'])] };
    assertError(await api.call('POST', CREATE, { json }), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    assertError(await create(json, unknownToken('database')), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
  });

  test('a duplicate name: 409 TOKEN_NAME_TAKEN; a bad name: 400 INVALID_NAME', async () => {
    const permissions = [dbPermission(['sensors'], ['read'])];
    assertError(await create({ token_name: 'reader', permissions }), 409, 'TOKEN_NAME_TAKEN');
    for (const token_name of ['', 'a b', '_system', 'x'.repeat(65)]) {
      assertError(await create({ token_name, permissions }), 400, 'INVALID_NAME');
    }
  });

  test('an unknown top-level field: 400 UNKNOWN_FIELD; a bad expiry: 400 INVALID_EXPIRY', async () => {
    const permissions = [dbPermission(['sensors'], ['read'])];
    assertError(await create({ token_name: 'extra', permissions, database: 'sensors' }), 400, 'UNKNOWN_FIELD', {
      field: 'database',
    });
    assertError(await create({ token_name: 'expiry', permissions, expiry_secs: 0 }), 400, 'INVALID_EXPIRY', {
      field: 'expiry_secs',
    });
  });

  test('a body that is not JSON: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify({ token_name: 'typed', permissions: [dbPermission(['sensors'], ['read'])] });
    const headers = { 'content-type': 'text/plain' };
    assertError(await api.call('POST', CREATE, { token: operator, body, headers }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('invalid JSON: 400 INVALID_JSON', async () => {
    const body = '{"token_name": "broken", "permissions": [';
    const headers = { 'content-type': 'application/json' };
    assertError(await api.call('POST', CREATE, { token: operator, body, headers }), 400, 'INVALID_JSON');
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
