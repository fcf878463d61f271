/**
 * Admin tokens: `POST /api/v3/configure/token/admin` (the first operator token, or a named admin token
 * with `{"name"}`), `POST /api/v3/configure/token/named_admin` and `POST
 * /api/v3/configure/token/admin/regenerate`, against a real server started with `--max-body-size 1000`.
 * A second server, bound to a non-loopback address of this machine, shows that bootstrap is local only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerProcess, StartOptions } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  disposeServers,
  type IssuedTokenJson,
  nonLoopbackIPv4,
  startServers,
  systemPermission,
  unknownToken,
  waitForOutput,
} from './support.ts';

const ADMIN = '/api/v3/configure/token/admin';
const NAMED_ADMIN = '/api/v3/configure/token/named_admin';
const REGENERATE = '/api/v3/configure/token/admin/regenerate';
const LIST = '/api/v3/configure/token';
const JSON_TYPE = { 'content-type': 'application/json' };
/** This machine's own non-loopback IPv4 address: a request to it arrives from a non-loopback source. */
const remoteAddress = nonLoopbackIPv4();

describe('admin tokens', () => {
  let server: ServerProcess;
  /** Bound to `remoteAddress`, when there is one. */
  let remote: ServerProcess | undefined;
  let api: Api;
  let operator: string;
  let namedAdmin: IssuedTokenJson;
  let databaseToken: string;

  let started: Promise<ServerProcess[]> | undefined;

  before(async () => {
    const options: StartOptions[] = [{ args: ['--max-body-size', '1000'] }];
    if (remoteAddress !== undefined) options.push({ args: ['--http-bind', `${remoteAddress}:0`] });
    started = startServers(...options);
    [server, remote] = (await started) as [ServerProcess, ServerProcess | undefined];
    api = new Api(server.url);
  });
  after(() => disposeServers(started));

  describe('POST /api/v3/configure/token/admin', () => {
    test('without a credential, from loopback, on a fresh server: 201 and the operator token _admin', async () => {
      const response = await api.call<IssuedTokenJson>('POST', ADMIN);
      assert.equal(response.status, 201, response.text);
      const issued = response.body;
      assert.equal(issued.name, '_admin');
      assert.equal(issued.kind, 'operator');
      assert.deepEqual(issued.permissions, ['*:*:*']);
      assert.equal(issued.expiry, null);
      assert.match(issued.token, /^fgo_[0-9A-Za-z]{49}$/);
      assert.equal(issued.hint, `${issued.token.slice(0, 8)}…`);
      assert.equal(typeof issued.id, 'number');
      operator = issued.token;

      const list = await api.call('GET', LIST, { token: operator });
      assert.equal(list.status, 200, 'the operator token works at once');
    });

    test('a second bootstrap answers 409 OPERATOR_TOKEN_EXISTS, with or without a credential', async () => {
      assertError(await api.call('POST', ADMIN), 409, 'OPERATOR_TOKEN_EXISTS');
      assertError(await api.call('POST', ADMIN, { token: operator }), 409, 'OPERATOR_TOKEN_EXISTS');
      assertError(await api.call('POST', ADMIN, { json: {} }), 409, 'OPERATOR_TOKEN_EXISTS');
    });

    test('with an admin token and {"name"}: 201 and a named admin token that works at once', async () => {
      const response = await api.call<IssuedTokenJson>('POST', ADMIN, { token: operator, json: { name: 'x' } });
      assert.equal(response.status, 201, response.text);
      namedAdmin = response.body;
      assert.equal(namedAdmin.name, 'x');
      assert.equal(namedAdmin.kind, 'admin');
      assert.deepEqual(namedAdmin.permissions, ['*:*:*']);
      assert.match(namedAdmin.token, /^fga_[0-9A-Za-z]{49}$/);
      assert.equal((await api.call('GET', LIST, { token: namedAdmin.token })).status, 200);
    });

    test('a named admin token can itself create named admin tokens; {"token_name"} is accepted too', async () => {
      const response = await api.call<IssuedTokenJson>('POST', ADMIN, {
        token: namedAdmin.token,
        json: { token_name: 'x2', expiry_secs: 3600 },
      });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body.name, 'x2');
      assert.equal(response.body.kind, 'admin');
      assert.notEqual(response.body.expiry, null);
    });

    test('with {"name"} but no token: 401 reason missing', async () => {
      const response = await api.call('POST', ADMIN, { json: { name: 'sneaky' } });
      assertError(response, 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    test('with {"name"} and an unknown token: 401 reason unknown', async () => {
      const response = await api.call('POST', ADMIN, { token: unknownToken(), json: { name: 'sneaky' } });
      assertError(response, 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
    });

    test('with {"name"} and a database token: 403 PERMISSION_DENIED', async () => {
      databaseToken = (await api.createDatabaseToken(operator, 'prober', [systemPermission(['health'])])).token;
      assertError(
        await api.call('POST', ADMIN, { token: databaseToken, json: { name: 'sneaky' } }),
        403,
        'PERMISSION_DENIED',
      );
    });

    test('a name already taken: 409 TOKEN_NAME_TAKEN', async () => {
      assertError(await api.call('POST', ADMIN, { token: operator, json: { name: 'x' } }), 409, 'TOKEN_NAME_TAKEN');
    });

    test('a reserved or malformed name: 400 INVALID_NAME', async () => {
      for (const name of ['_x', 'a b', '', 'n'.repeat(65)]) {
        assertError(await api.call('POST', ADMIN, { token: operator, json: { name } }), 400, 'INVALID_NAME');
      }
    });

    test('an unknown body field: 400 UNKNOWN_FIELD naming it', async () => {
      const response = await api.call('POST', ADMIN, { token: operator, json: { name: 'y', colour: 'red' } });
      assertError(response, 400, 'UNKNOWN_FIELD', { field: 'colour' });
    });
  });

  describe('POST /api/v3/configure/token/named_admin', () => {
    const create = (json: unknown, token = operator) => api.call<IssuedTokenJson>('POST', NAMED_ADMIN, { token, json });

    test('{token_name, expiry_secs}: 201 and an admin token that expires then and works at once', async () => {
      const sent = Date.now();
      const response = await create({ token_name: 'ci', expiry_secs: 3600 });
      assert.equal(response.status, 201, response.text);
      const issued = response.body;
      assert.equal(issued.name, 'ci');
      assert.equal(issued.kind, 'admin');
      assert.deepEqual(issued.permissions, ['*:*:*']);
      assert.match(issued.token, /^fga_[0-9A-Za-z]{49}$/);
      assert.ok(issued.expiry !== null);
      const expiry = Date.parse(issued.expiry);
      assert.ok(expiry >= sent + 3_600_000 - 1000 && expiry <= Date.now() + 3_600_000 + 1000, issued.expiry);
      assert.equal((await api.call('GET', LIST, { token: issued.token })).status, 200);
    });

    test('without an expiry: 201 and a token that never expires; a 64-character name is fine', async () => {
      const name = 'n'.repeat(64);
      const response = await create({ token_name: name, description: 'nightly jobs' });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body.name, name);
      assert.equal(response.body.expiry, null);
    });

    test('expires_at in RFC3339: 201 with that expiry', async () => {
      const response = await create({ token_name: 'until-2099', expires_at: '2099-01-01T00:00:00Z' });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body.expiry, '2099-01-01T00:00:00.000Z');
    });

    test('a duplicate name: 409 TOKEN_NAME_TAKEN', async () => {
      assertError(await create({ token_name: 'ci' }), 409, 'TOKEN_NAME_TAKEN');
    });

    test('concurrent creates, one with a taken name: that one 409 TOKEN_NAME_TAKEN, the others 201 and working at once', async () => {
      const names = Array.from({ length: 10 }, (_, i) => (i === 4 ? 'ci' : `burst-${i}`));
      const responses = await Promise.all(names.map((token_name) => create({ token_name, expiry_secs: 3600 })));
      const taken = assertError(responses[4] as (typeof responses)[number], 409, 'TOKEN_NAME_TAKEN', { field: 'name' });
      assert.equal(taken.error, 'token name already exists, ci');
      const created = responses.filter((_, i) => i !== 4);
      assert.deepEqual(
        created.map((response) => [response.status, response.body.name]),
        names.filter((_, i) => i !== 4).map((name) => [201, name]),
      );
      assert.equal(new Set(created.map((response) => response.body.id)).size, created.length);
      for (const response of created) {
        assert.equal((await api.call('GET', LIST, { token: response.body.token })).status, 200);
      }
      const listed = await api.call<Array<{ name: string }>>('GET', LIST, { token: operator });
      assert.equal(listed.body.filter((token) => token.name === 'ci').length, 1);
    });

    test('a body that is not application/json: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const body = JSON.stringify({ token_name: 'typed' });
      for (const headers of [
        { 'content-type': 'text/plain' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ]) {
        assertError(
          await api.call('POST', NAMED_ADMIN, { token: operator, body, headers }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      }
      // No Content-Type at all (a byte body gets none from fetch).
      const bytes = new TextEncoder().encode(body);
      assertError(await api.call('POST', NAMED_ADMIN, { token: operator, body: bytes }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('an unknown field: 400 UNKNOWN_FIELD naming the field', async () => {
      assertError(await create({ token_name: 'extra', permissions: ['*:*:*'] }), 400, 'UNKNOWN_FIELD', {
        field: 'permissions',
      });
      assertError(await create({ token_name: 'typo', expiry_sec: 60 }), 400, 'UNKNOWN_FIELD', { field: 'expiry_sec' });
    });

    test('no token_name, or a token_name that is not a string: 400 INVALID_INPUT naming token_name', async () => {
      assertError(await create({}), 400, 'INVALID_INPUT', { field: 'token_name' });
      assertError(await create({ token_name: 42 }), 400, 'INVALID_INPUT', { field: 'token_name' });
    });

    test('expiry_secs 0 or -1: 400 INVALID_EXPIRY naming expiry_secs', async () => {
      for (const expiry_secs of [0, -1]) {
        assertError(await create({ token_name: 'bad-expiry', expiry_secs }), 400, 'INVALID_EXPIRY', {
          field: 'expiry_secs',
        });
      }
    });

    test('expiry_secs 1.5 or "3600": 400 naming expiry_secs', async () => {
      for (const expiry_secs of [1.5, '3600']) {
        const response = await create({ token_name: 'bad-expiry', expiry_secs });
        assert.equal(response.status, 400, response.text);
        const body = response.body as unknown as { code: string; field: string };
        assert.ok(['INVALID_EXPIRY', 'INVALID_INPUT'].includes(body.code), response.text);
        assert.equal(body.field, 'expiry_secs');
      }
    });

    test('expires_at in the past, unparseable, or together with expiry_secs: 400 INVALID_EXPIRY', async () => {
      assertError(await create({ token_name: 'old', expires_at: '2001-01-01T00:00:00Z' }), 400, 'INVALID_EXPIRY', {
        field: 'expires_at',
      });
      assertError(await create({ token_name: 'old', expires_at: 'next tuesday' }), 400, 'INVALID_EXPIRY', {
        field: 'expires_at',
      });
      assertError(
        await create({ token_name: 'both', expiry_secs: 60, expires_at: '2099-01-01T00:00:00Z' }),
        400,
        'INVALID_EXPIRY',
      );
    });

    test('bad names: 400 INVALID_NAME (empty, 65 characters, a space, a leading underscore)', async () => {
      for (const token_name of ['', 'n'.repeat(65), 'a b', '_reserved', 'semi;colon']) {
        assertError(await create({ token_name }), 400, 'INVALID_NAME');
      }
      const list = await api.call<Array<{ name: string }>>('GET', LIST, { token: operator });
      assert.ok(!list.body.some((t) => t.name.includes(' ') || t.name === '_reserved'), 'none was created');
    });

    test('invalid JSON: 400 INVALID_JSON', async () => {
      // The second body quotes a token string: the log check at the end shows it is not logged either.
      for (const body of ['{"token_name": "broken",', `{"token_name": "broken", "description": "${operator}"`]) {
        assertError(
          await api.call('POST', NAMED_ADMIN, { token: operator, body, headers: JSON_TYPE }),
          400,
          'INVALID_JSON',
        );
      }
    });

    test('an empty body with a JSON content type: 400 INVALID_JSON', async () => {
      assertError(
        await api.call('POST', NAMED_ADMIN, { token: operator, body: '', headers: JSON_TYPE }),
        400,
        'INVALID_JSON',
      );
    });

    test('a JSON body that is not an object: 400 INVALID_INPUT', async () => {
      assertError(await create(['token_name', 'array']), 400, 'INVALID_INPUT');
    });

    test('a 2 KB body over --max-body-size 1000: 413 BODY_TOO_LARGE; just under the limit: 201', async () => {
      const big = { token_name: 'big', description: 'd'.repeat(2000) };
      assert.ok(JSON.stringify(big).length > 2000);
      assertError(await create(big), 413, 'BODY_TOO_LARGE');
      const fits = { token_name: 'fits', description: 'd'.repeat(900) };
      assert.ok(JSON.stringify(fits).length < 1000);
      assert.equal((await create(fits)).status, 201);
    });

    test('a 2 KB body without a token: 401 (the credential is checked before the body is read)', async () => {
      const response = await api.call('POST', NAMED_ADMIN, {
        json: { token_name: 'big', description: 'd'.repeat(2000) },
      });
      assertError(response, 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    test('without a token: 401 missing; with an unknown token: 401 unknown', async () => {
      assertError(await api.call('POST', NAMED_ADMIN, { json: { token_name: 'anon' } }), 401, 'CREDENTIAL_MISSING', {
        reason: 'missing',
      });
      assertError(await create({ token_name: 'anon' }, unknownToken()), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
    });

    test('with a database token: 403 PERMISSION_DENIED', async () => {
      const prober = await api.createDatabaseToken(operator, 'prober-all', [systemPermission(['*'])]);
      assertError(await create({ token_name: 'escalate' }, prober.token), 403, 'PERMISSION_DENIED');
    });

    test('an expiring admin token cannot create a token that outlives it: 403 EXPIRY_EXCEEDS_OWN', async () => {
      const ci = await api.createAdminToken(operator, 'short-lived', { expiry_secs: 600 });
      assertError(await create({ token_name: 'forever' }, ci.token), 403, 'EXPIRY_EXCEEDS_OWN');
      assertError(await create({ token_name: 'longer', expiry_secs: 7200 }, ci.token), 403, 'EXPIRY_EXCEEDS_OWN');
      const shorter = await create({ token_name: 'shorter', expiry_secs: 60 }, ci.token);
      assert.equal(shorter.status, 201, shorter.text);
    });
  });

  describe('POST /api/v3/configure/token/admin/regenerate', () => {
    test('without a token: 401 reason missing', async () => {
      assertError(await api.call('POST', REGENERATE), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    test('with a named admin token: 403 PERMISSION_DENIED (only _admin regenerates itself)', async () => {
      assertError(await api.call('POST', REGENERATE, { token: namedAdmin.token }), 403, 'PERMISSION_DENIED');
    });

    test('with a database token: 403 PERMISSION_DENIED', async () => {
      assertError(await api.call('POST', REGENERATE, { token: databaseToken }), 403, 'PERMISSION_DENIED');
    });

    test('an unparseable grace: 400 INVALID_EXPIRY naming grace; an unknown parameter: 400 UNKNOWN_FIELD', async () => {
      assertError(await api.call('POST', `${REGENERATE}?grace=soon`, { token: operator }), 400, 'INVALID_EXPIRY', {
        field: 'grace',
      });
      assertError(await api.call('POST', `${REGENERATE}?force=true`, { token: operator }), 400, 'UNKNOWN_FIELD', {
        field: 'force',
      });
      assert.equal((await api.call('GET', LIST, { token: operator })).status, 200, 'the refused calls changed nothing');
    });

    test('with the operator token: 201, same id, new secret; the old one gets 401 revoked on the very next request', async () => {
      const before = operator;
      const response = await api.call<IssuedTokenJson>('POST', REGENERATE, { token: before });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body.name, '_admin');
      assert.equal(response.body.kind, 'operator');
      assert.equal(response.body.id, 1);
      assert.match(response.body.token, /^fgo_[0-9A-Za-z]{49}$/);
      assert.notEqual(response.body.token, before);
      operator = response.body.token;

      assertError(await api.call('GET', LIST, { token: before }), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      assert.equal((await api.call('GET', LIST, { token: operator })).status, 200, 'the new secret works');
    });

    test('?grace=1h keeps the old secret working next to the new one', async () => {
      const old = operator;
      const response = await api.call<IssuedTokenJson>('POST', `${REGENERATE}?grace=1h`, { token: old });
      assert.equal(response.status, 201, response.text);
      operator = response.body.token;
      assert.equal((await api.call('GET', LIST, { token: old })).status, 200, 'the old secret still works');
      assert.equal((await api.call('GET', LIST, { token: operator })).status, 200, 'the new secret works');

      // A regeneration without grace then ends every earlier secret at once, the one in its grace too.
      const again = await api.call<IssuedTokenJson>('POST', REGENERATE, { token: operator });
      assert.equal(again.status, 201, again.text);
      assertError(await api.call('GET', LIST, { token: old }), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      assertError(await api.call('GET', LIST, { token: operator }), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      operator = again.body.token;
      assert.equal((await api.call('GET', LIST, { token: operator })).status, 200);
    });

    test('named admin and database tokens keep working after _admin was regenerated', async () => {
      assert.equal((await api.call('GET', LIST, { token: namedAdmin.token })).status, 200);
      assert.equal((await api.call('GET', '/health', { token: databaseToken })).status, 200);
    });
  });

  describe('POST /api/v3/configure/token/admin from a non-loopback address', () => {
    test('by default: 403 BOOTSTRAP_NOT_LOCAL, and no operator token is created', async (_t) => {
      assert.ok(remote !== undefined, 'this machine has no non-loopback IPv4 address: the test needs one');
      assert.ok(remote.url.includes(`${remoteAddress}:`), remote.url);
      const far = new Api(remote.url);
      assertError(await far.call('POST', ADMIN), 403, 'BOOTSTRAP_NOT_LOCAL');
      // Still 403, not 409: the refused call left nothing behind.
      assertError(await far.call('POST', ADMIN), 403, 'BOOTSTRAP_NOT_LOCAL');
      assert.ok(await waitForOutput(remote, `"ip":"${remoteAddress}"`), 'the server saw the non-loopback source');
    });
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
