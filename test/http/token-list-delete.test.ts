/**
 * `GET /api/v3/configure/token` (list, never a secret) and `DELETE /api/v3/configure/token?token_name=|token_id=`
 * (revoke), against a real server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashToken } from '../../src/domain/token-format.ts';
import { bootstrap } from '../helpers/http.ts';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  dbPermission,
  type IssuedTokenJson,
  sleepUntilAfter,
  type TokenViewJson,
} from './support.ts';

const TOKENS = '/api/v3/configure/token';

describe('GET and DELETE /api/v3/configure/token', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  let ops: IssuedTokenJson;
  let reader: IssuedTokenJson;
  let brief: IssuedTokenJson;

  before(async () => {
    server = await startServerProcess();
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    // Created first so that its one second has passed by the time the listing tests look at it.
    brief = await api.createAdminToken(operator, 'brief', { expiry_secs: 1 });
    ops = await api.createAdminToken(operator, 'ops', { description: 'the ops team' });
    await api.createDatabase(operator, 'sensors');
    reader = await api.createDatabaseToken(operator, 'reader', [dbPermission(['sensors'], ['read'])]);
  });
  after(() => server?.dispose());

  const list = (token: string, query = '') => api.call<TokenViewJson[]>('GET', `${TOKENS}${query}`, { token });
  const revoke = (token: string, query: string) => api.call('DELETE', `${TOKENS}?${query}`, { token });

  describe('GET /api/v3/configure/token', () => {
    test('an admin token: 200 and every active token, with permissions and status', async () => {
      const response = await list(ops.token);
      assert.equal(response.status, 200, response.text);
      const byName = new Map(response.body.map((t) => [t.name, t]));
      assert.deepEqual([...byName.keys()].sort(), ['_admin', 'brief', 'ops', 'reader']);
      assert.equal(byName.get('_admin')?.kind, 'operator');
      assert.deepEqual(byName.get('_admin')?.permissions, ['*:*:*']);
      assert.equal(byName.get('ops')?.kind, 'admin');
      assert.equal(byName.get('ops')?.description, 'the ops team');
      assert.equal(byName.get('ops')?.status, 'active');
      assert.equal(byName.get('ops')?.hint, ops.hint);
      assert.equal(byName.get('reader')?.kind, 'database');
      assert.deepEqual(byName.get('reader')?.permissions, ['db:sensors:read']);
      assert.equal(byName.get('reader')?.status, 'active');
    });

    test('no element carries a secret or a hash', async () => {
      const response = await list(operator);
      assert.equal(response.status, 200);
      const secrets = [...api.secrets];
      assert.ok(secrets.length >= 4);
      for (const element of response.body) {
        assert.equal('token' in element, false, `${element.name} has no token field`);
        assert.equal('hash' in element, false, `${element.name} has no hash field`);
        const json = JSON.stringify(element);
        for (const secret of secrets) {
          assert.ok(!json.includes(secret), `${element.name} does not contain a token string`);
          assert.ok(!json.includes(hashToken(secret)), `${element.name} does not contain a token hash`);
        }
      }
    });

    test('a token past its expiry is listed with status expired', async () => {
      await sleepUntilAfter(brief.expiry);
      const response = await list(operator);
      const element = response.body.find((t) => t.name === 'brief');
      assert.equal(element?.status, 'expired');
      assert.equal(element?.expiry, brief.expiry);
    });

    test('?format=json is accepted; an unknown parameter or value: 400', async () => {
      assert.equal((await list(operator, '?format=json')).status, 200);
      assertError(await list(operator, '?include_revoked=yes'), 400, 'INVALID_INPUT', { field: 'include_revoked' });
      assertError(await list(operator, '?show=all'), 400, 'UNKNOWN_FIELD', { field: 'show' });
    });

    test('a database token: 403 PERMISSION_DENIED; no token: 401 missing', async () => {
      assertError(await list(reader.token), 403, 'PERMISSION_DENIED');
      assertError(await api.call('GET', TOKENS), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });
  });

  describe('DELETE /api/v3/configure/token', () => {
    test('?token_name=: 200, and the deleted token gets 401 revoked on the very next request', async () => {
      const victim = await api.createAdminToken(operator, 'victim-a');
      assert.equal((await list(victim.token)).status, 200, 'the token works before');
      const response = await revoke(operator, 'token_name=victim-a');
      assert.equal(response.status, 200, response.text);
      assertError(await list(victim.token), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
    });

    test('?token_id=: 200, and the deleted database token gets 401 revoked at once', async () => {
      const victim = await api.createDatabaseToken(operator, 'victim-b', [dbPermission(['sensors'], ['read'])]);
      const databases = '/api/v3/configure/database';
      assert.equal((await api.call('GET', databases, { token: victim.token })).status, 200, 'the token works before');
      const response = await revoke(ops.token, `token_id=${victim.id}`);
      assert.equal(response.status, 200, response.text);
      assertError(await api.call('GET', databases, { token: victim.token }), 401, 'TOKEN_REVOKED', {
        reason: 'revoked',
      });
    });

    test('revoked tokens are listed only with ?include_revoked=true, with status revoked', async () => {
      const active = await list(operator);
      assert.ok(!active.body.some((t) => t.name.startsWith('victim-')), 'not listed by default');
      const all = await list(operator, '?include_revoked=true');
      assert.equal(all.status, 200, all.text);
      for (const name of ['victim-a', 'victim-b']) {
        const element = all.body.find((t) => t.name === name);
        assert.equal(element?.status, 'revoked', name);
        assert.notEqual(element?.revoked_at, null, name);
      }
      assert.equal(all.body.find((t) => t.name === 'ops')?.status, 'active');
      assert.ok(!(await list(operator, '?include_revoked=false')).body.some((t) => t.name.startsWith('victim-')));
    });

    test('the name of a revoked token can be given to a new token', async () => {
      const again = await api.createAdminToken(operator, 'victim-a');
      assert.equal((await list(again.token)).status, 200);
    });

    test('the operator token _admin, by name or by id: 405 OPERATOR_TOKEN_UNDELETABLE, and it keeps working', async () => {
      assertError(await revoke(operator, 'token_name=_admin'), 405, 'OPERATOR_TOKEN_UNDELETABLE');
      const id = (await list(operator)).body.find((t) => t.name === '_admin')?.id;
      assertError(await revoke(ops.token, `token_id=${id}`), 405, 'OPERATOR_TOKEN_UNDELETABLE');
      assert.equal((await list(operator)).status, 200);
    });

    test('an unknown or already deleted token: 404 TOKEN_NOT_FOUND', async () => {
      assertError(await revoke(operator, 'token_name=nobody'), 404, 'TOKEN_NOT_FOUND');
      assertError(await revoke(operator, 'token_id=99999'), 404, 'TOKEN_NOT_FOUND');
      const gone = (await list(operator, '?include_revoked=true')).body.find((t) => t.name === 'victim-b');
      assertError(await revoke(operator, `token_id=${gone?.id}`), 404, 'TOKEN_NOT_FOUND');
    });

    test('no parameter, both parameters, or a non-numeric id: 400 INVALID_INPUT', async () => {
      assertError(await api.call('DELETE', TOKENS, { token: operator }), 400, 'INVALID_INPUT');
      assertError(await revoke(operator, 'token_name=ops&token_id=2'), 400, 'INVALID_INPUT');
      assertError(await revoke(operator, 'token_id=two'), 400, 'INVALID_INPUT', { field: 'token_id' });
      assertError(await revoke(operator, 'name=ops'), 400, 'UNKNOWN_FIELD', { field: 'name' });
      assert.equal((await list(ops.token)).status, 200, 'ops was not deleted');
    });

    test('a database token: 403 PERMISSION_DENIED; no token: 401 missing', async () => {
      assertError(await revoke(reader.token, 'token_name=ops'), 403, 'PERMISSION_DENIED');
      assertError(await revoke(reader.token, 'token_name=reader'), 403, 'PERMISSION_DENIED');
      assertError(await api.call('DELETE', `${TOKENS}?token_name=ops`), 401, 'CREDENTIAL_MISSING', {
        reason: 'missing',
      });
      assert.equal((await list(ops.token)).status, 200, 'ops was not deleted');
    });
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
