/**
 * `POST|GET|DELETE /api/v3/configure/database`: create, list (filtered to what the token may see) and
 * delete, with admin and database tokens, against a real server.
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
  systemPermission,
} from './support.ts';

const DATABASES = '/api/v3/configure/database';

describe('/api/v3/configure/database', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  /** db:x:read only. */
  let reader: string;
  /** db:*:create only. */
  let creator: string;
  /** system:health:read only, no database right. */
  let prober: string;

  before(async () => {
    server = await startServerProcess();
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    await api.createDatabase(operator, 'x');
    reader = (await api.createDatabaseToken(operator, 'reader', [dbPermission(['x'], ['read'])])).token;
    creator = (await api.createDatabaseToken(operator, 'creator', [dbPermission(['*'], ['create'])])).token;
    prober = (await api.createDatabaseToken(operator, 'prober', [systemPermission(['health'])])).token;
  });
  after(() => server?.dispose());

  const create = (json: unknown, token = operator) => api.call<DatabaseJson>('POST', DATABASES, { token, json });
  const names = async (token: string) => {
    const response = await api.call<DatabaseJson[]>('GET', DATABASES, { token });
    assert.equal(response.status, 200, response.text);
    return response.body.map((db) => db['iox::database']);
  };
  const remove = (db: string, token = operator) =>
    api.call('DELETE', `${DATABASES}?db=${encodeURIComponent(db)}`, { token });

  describe('POST', () => {
    test('{db}: 201 with the database', async () => {
      const response = await create({ db: 'weather' });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body['iox::database'], 'weather');
      assert.equal(typeof response.body.id, 'number');
    });

    test('a duplicate: 409 DATABASE_EXISTS', async () => {
      assertError(await create({ db: 'weather' }), 409, 'DATABASE_EXISTS');
    });

    test('a bad name: 400 INVALID_NAME', async () => {
      for (const db of ['', 'a b', '_internal', 'd'.repeat(65), 'semi;colon']) {
        assertError(await create({ db }), 400, 'INVALID_NAME');
      }
    });

    test('no db, or a db that is not a string: 400 INVALID_INPUT naming db', async () => {
      assertError(await create({}), 400, 'INVALID_INPUT', { field: 'db' });
      assertError(await create({ db: 7 }), 400, 'INVALID_INPUT', { field: 'db' });
    });

    test('an unknown field: 400 UNKNOWN_FIELD; not JSON: 415', async () => {
      assertError(await create({ db: 'extra', owner: 'me' }), 400, 'UNKNOWN_FIELD', { field: 'owner' });
      const response = await api.call('POST', DATABASES, {
        token: operator,
        body: 'db=extra',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assertError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('invalid JSON: 400 INVALID_JSON', async () => {
      const response = await api.call('POST', DATABASES, {
        token: operator,
        body: '{"db": "broken"',
        headers: { 'content-type': 'application/json' },
      });
      assertError(response, 400, 'INVALID_JSON');
    });

    test('a token with only db:x:read cannot create: 403 PERMISSION_DENIED', async () => {
      assertError(await create({ db: 'mine' }, reader), 403, 'PERMISSION_DENIED');
      assertError(await create({ db: 'mine' }, prober), 403, 'PERMISSION_DENIED');
    });

    test('a db:*:create token can create: 201', async () => {
      const response = await create({ db: 'created-by-token' }, creator);
      assert.equal(response.status, 201, response.text);
    });

    test('without a token: 401 missing', async () => {
      assertError(await api.call('POST', DATABASES, { json: { db: 'anon' } }), 401, 'CREDENTIAL_MISSING', {
        reason: 'missing',
      });
    });
  });

  describe('GET', () => {
    test('an admin token sees every database', async () => {
      assert.deepEqual((await names(operator)).sort(), ['created-by-token', 'weather', 'x']);
    });

    test('a database token sees only the databases it holds a right on', async () => {
      assert.deepEqual(await names(reader), ['x']);
      assert.deepEqual(await names(prober), []);
    });

    test('without a token: 401 missing; an unknown parameter: 400', async () => {
      assertError(await api.call('GET', DATABASES), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
      assertError(await api.call('GET', `${DATABASES}?show_deleted=true`, { token: operator }), 400, 'INVALID_INPUT', {
        field: 'show_deleted',
      });
    });
  });

  describe('DELETE', () => {
    test('a token with only db:x:read cannot delete x: 403 PERMISSION_DENIED', async () => {
      assertError(await remove('x', reader), 403, 'PERMISSION_DENIED');
      assertError(await remove('weather', creator), 403, 'PERMISSION_DENIED');
      assert.ok((await names(operator)).includes('x'), 'x is still there');
    });

    test('?db=: 200, then gone from the list, and a second delete: 404 DATABASE_NOT_FOUND', async () => {
      const response = await remove('weather');
      assert.equal(response.status, 200, response.text);
      assert.ok(!(await names(operator)).includes('weather'));
      assertError(await remove('weather'), 404, 'DATABASE_NOT_FOUND', { field: 'db' });
    });

    test('an unknown database: 404; no db parameter: 400 INVALID_INPUT naming db', async () => {
      assertError(await remove('nowhere'), 404, 'DATABASE_NOT_FOUND');
      assertError(await api.call('DELETE', DATABASES, { token: operator }), 400, 'INVALID_INPUT', { field: 'db' });
    });

    test('without a token: 401 missing', async () => {
      assertError(await api.call('DELETE', `${DATABASES}?db=x`), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    test('a deleted name can be created again, and a grant on the deleted database does not reach the new one', async () => {
      await api.createDatabase(operator, 'reborn');
      const old = await api.createDatabaseToken(operator, 'old-reborn', [dbPermission(['reborn'], ['read', 'write'])]);
      assert.deepEqual(await names(old.token), ['reborn']);
      assert.equal((await remove('reborn')).status, 200);
      const response = await create({ db: 'reborn' });
      assert.equal(response.status, 201, response.text);
      assert.deepEqual(await names(old.token), [], 'the old grant names the deleted database, not the new one');
    });
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
