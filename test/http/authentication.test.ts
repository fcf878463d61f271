/**
 * How a request authenticates: the accepted carriers (Bearer, Token, Basic), the refused ones (`?p=`
 * on v3 paths, malformed headers), the 401 reasons (missing, malformed_token, unknown, expired,
 * revoked), and the failed-authentication throttle on a second server (`--auth-failure-limit 5`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../helpers/http.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import {
  Api,
  assertError,
  assertNoSecretsLogged,
  callFrom,
  canUseSourceAddress,
  disposeServers,
  type IssuedTokenJson,
  type JsonResponse,
  metricValue,
  sleepUntilAfter,
  startServers,
  unknownToken,
  withBadChecksum,
} from './support.ts';

const PROTECTED = '/api/v3/configure/token';
const LIMIT = 5;
const basic = (userAndToken: string) => `Basic ${Buffer.from(userAndToken).toString('base64')}`;

/** Both servers (default, and with the throttle limit) start together on first use; both stop at the end. */
let started: Promise<ServerProcess[]> | undefined;
const servers = () => {
  started ??= startServers({}, { args: ['--auth-failure-limit', String(LIMIT)] });
  return started;
};
after(() => disposeServers(started));

describe('authentication', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  let ops: IssuedTokenJson;
  let brief: IssuedTokenJson;
  let gone: IssuedTokenJson;

  before(async () => {
    server = (await servers())[0]!;
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    // Created first so that its second has passed by the time the expiry test runs.
    brief = await api.createAdminToken(operator, 'brief', { expiry_secs: 1 });
    ops = await api.createAdminToken(operator, 'ops');
    gone = await api.createAdminToken(operator, 'gone');
    await api.revokeToken(operator, 'gone');
  });

  const withAuthorization = (authorization: string) => api.call('GET', PROTECTED, { headers: { authorization } });

  describe('accepted carriers', () => {
    test('Authorization: Bearer <token>', async () => {
      assert.equal((await withAuthorization(`Bearer ${ops.token}`)).status, 200);
    });

    test('Authorization: Token <token>', async () => {
      assert.equal((await withAuthorization(`Token ${ops.token}`)).status, 200);
    });

    test('Authorization: Basic base64(user:token), with any or an empty user', async () => {
      assert.equal((await withAuthorization(basic(`influx:${ops.token}`))).status, 200);
      assert.equal((await withAuthorization(basic(`:${ops.token}`))).status, 200);
    });

    test('the scheme is case-insensitive', async () => {
      assert.equal((await withAuthorization(`bearer ${ops.token}`)).status, 200);
      assert.equal((await withAuthorization(`TOKEN ${ops.token}`)).status, 200);
    });
  });

  describe('refused carriers', () => {
    test('?p=<token> is not accepted on /api/v3 paths: 401 missing', async () => {
      api.remember(ops.token);
      const response = await api.call('GET', `${PROTECTED}?p=${ops.token}`);
      assertError(response, 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
      const database = await api.call('POST', `/api/v3/configure/database?p=${ops.token}`, { json: { db: 'sneaky' } });
      assertError(database, 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    test('no Authorization header: 401 missing', async () => {
      assertError(await api.call('GET', PROTECTED), 401, 'CREDENTIAL_MISSING', { reason: 'missing' });
    });

    const malformed: Array<[string, string]> = [
      ['a scheme without a token', 'Bearer'],
      ['a scheme and an empty token', 'Bearer '],
      ['a token with a space in it', 'Bearer a b'],
      ['an unknown scheme', 'Foo x'],
      ['Basic with bad base64', 'Basic !!!not-base64!!!'],
      ['Basic without a colon', basic('just-a-token-without-user')],
      ['Basic with an empty token', basic('user:')],
    ];
    for (const [label, authorization] of malformed) {
      test(`${label} (${JSON.stringify(authorization)}): 400 MALFORMED_CREDENTIAL`, async () => {
        assertError(await withAuthorization(authorization), 400, 'MALFORMED_CREDENTIAL', { field: 'Authorization' });
      });
    }
  });

  describe('401 reasons', () => {
    test('a well-formed token with a wrong checksum: 401 malformed_token', async () => {
      const tampered = withBadChecksum(ops.token);
      assert.equal(tampered.length, ops.token.length);
      assertError(await withAuthorization(`Bearer ${tampered}`), 401, 'TOKEN_MALFORMED', { reason: 'malformed_token' });
      api.remember(tampered);
    });

    test('strings that are no token at all: 401 malformed_token', async () => {
      for (const token of ['hello', 'fga_short', `xyz_${ops.token.slice(4)}`, `${ops.token}0`]) {
        assertError(await withAuthorization(`Bearer ${token}`), 401, 'TOKEN_MALFORMED', { reason: 'malformed_token' });
      }
    });

    test('an unknown token: 401 unknown, whatever the carrier', async () => {
      const token = unknownToken('admin');
      api.remember(token);
      assertError(await withAuthorization(`Bearer ${token}`), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
      assertError(await withAuthorization(`Token ${token}`), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
      assertError(await withAuthorization(basic(`u:${token}`)), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
      const legacy = `apiv3_${'A'.repeat(40)}`;
      assertError(await withAuthorization(`Bearer ${legacy}`), 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
    });

    test('a revoked token: 401 revoked, whatever the carrier', async () => {
      assertError(await withAuthorization(`Bearer ${gone.token}`), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      assertError(await withAuthorization(basic(`u:${gone.token}`)), 401, 'TOKEN_REVOKED', { reason: 'revoked' });
    });

    test('an expired token (expiry_secs: 1, after the second): 401 expired', async () => {
      await sleepUntilAfter(brief.expiry);
      assertError(await withAuthorization(`Bearer ${brief.token}`), 401, 'TOKEN_EXPIRED', { reason: 'expired' });
      assertError(await withAuthorization(`Token ${brief.token}`), 401, 'TOKEN_EXPIRED', { reason: 'expired' });
    });

    test('401s carry a WWW-Authenticate challenge naming the reason', async () => {
      const response = await withAuthorization(`Bearer ${gone.token}`);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="fluxgate"/);
      assert.match(response.headers.get('www-authenticate') ?? '', /revoked/);
    });

    test('the valid tokens still work after all those failures', async () => {
      assert.equal((await withAuthorization(`Bearer ${operator}`)).status, 200);
      assert.equal((await withAuthorization(`Bearer ${ops.token}`)).status, 200);
    });
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});

/**
 * Guess-like failures (unknown or malformed credentials) from one source address end in 429 with
 * Retry-After; other sources, and failures that are not guesses (missing, revoked), are not affected.
 * Other sources are other loopback addresses (127.0.0.x), which Linux routes locally; where that is
 * impossible those tests skip.
 */
describe('authentication failure throttle (--auth-failure-limit 5)', () => {
  let server: ServerProcess;
  let api: Api;
  let operator: string;
  let revoked: string;
  let otherSources = false;

  before(async () => {
    server = (await servers())[1]!;
    api = new Api(server.url);
    operator = await bootstrap(server.url);
    api.remember(operator);
    revoked = (await api.createAdminToken(operator, 'revoked')).token;
    await api.revokeToken(operator, 'revoked');
    otherSources = await canUseSourceAddress('127.0.0.2', server.url);
  });

  /** Sends requests until the first 429 (at most `max`); returns the answers before it and the 429. */
  async function untilThrottled(send: () => Promise<JsonResponse>, max = 20) {
    const before: JsonResponse[] = [];
    for (let i = 0; i < max; i++) {
      const response = await send();
      if (response.status === 429) return { before, throttled: response };
      before.push(response);
    }
    assert.fail(`no 429 after ${max} failures: last ${before.at(-1)?.status} ${before.at(-1)?.text}`);
  }

  test('unknown tokens from 127.0.0.1 end in 429 AUTH_THROTTLED with a Retry-After header', async () => {
    const { before, throttled } = await untilThrottled(() => {
      const token = unknownToken();
      api.remember(token);
      return api.call('GET', PROTECTED, { token });
    });
    for (const response of before) assertError(response, 401, 'TOKEN_UNKNOWN', { reason: 'unknown' });
    assert.ok(
      before.length >= LIMIT && before.length <= LIMIT + 1,
      `${before.length} failures were answered 401 before the 429`,
    );
    assertError(throttled, 429, 'AUTH_THROTTLED');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  });

  test('while blocked, that source gets 429 for failures but a valid token still works (no lockout behind one address)', async () => {
    const valid = await api.call('GET', PROTECTED, { token: operator });
    assert.equal(valid.status, 200, valid.text);
    assertError(await api.call('GET', PROTECTED, { token: unknownToken() }), 429, 'AUTH_THROTTLED');
  });

  describe('the throttle counts per source address', () => {
    test('from 127.0.0.2 the valid token still works and an unknown token is a plain 401', async (_t) => {
      assert.ok(otherSources, 'cannot connect from 127.0.0.2 on this machine');
      const ok = await callFrom('127.0.0.2', server.url, 'GET', PROTECTED, { token: operator });
      assert.equal(ok.status, 200, ok.text);
      const token = unknownToken();
      api.remember(token);
      assertError(await callFrom('127.0.0.2', server.url, 'GET', PROTECTED, { token }), 401, 'TOKEN_UNKNOWN');
    });

    test('malformed Authorization headers count too: 400s, then 429 for 127.0.0.3', async (_t) => {
      assert.ok(otherSources, 'cannot connect from 127.0.0.3 on this machine');
      const { before, throttled } = await untilThrottled(() =>
        callFrom('127.0.0.3', server.url, 'GET', PROTECTED, { headers: { authorization: 'Foo x' } }),
      );
      for (const response of before) assertError(response, 400, 'MALFORMED_CREDENTIAL');
      assert.ok(before.length >= LIMIT && before.length <= LIMIT + 1, `${before.length} answered 400 before the 429`);
      assertError(throttled, 429, 'AUTH_THROTTLED');
    });

    test('missing and revoked credentials are not guesses: never 429 for 127.0.0.4', async (_t) => {
      assert.ok(otherSources, 'cannot connect from 127.0.0.4 on this machine');
      for (let i = 0; i < 3 * LIMIT; i++) {
        assertError(await callFrom('127.0.0.4', server.url, 'GET', PROTECTED), 401, 'CREDENTIAL_MISSING');
        const response = await callFrom('127.0.0.4', server.url, 'GET', PROTECTED, { token: revoked });
        assertError(response, 401, 'TOKEN_REVOKED', { reason: 'revoked' });
      }
      const ok = await callFrom('127.0.0.4', server.url, 'GET', PROTECTED, { token: operator });
      assert.equal(ok.status, 200, ok.text);
    });

    test('/metrics, read from an unblocked source, counts the throttled outcomes', async (_t) => {
      assert.ok(otherSources, 'cannot connect from 127.0.0.5 on this machine');
      const metrics = await callFrom<string>('127.0.0.5', server.url, 'GET', '/metrics', { token: operator });
      assert.equal(metrics.status, 200, metrics.text);
      assert.ok(metricValue(metrics.text, 'fluxgate_auth_outcomes_total{outcome="throttled"}') >= 3);
      assert.ok(metricValue(metrics.text, 'fluxgate_auth_outcomes_total{outcome="unknown"}') >= LIMIT);
    });
  });

  test('the server log holds none of the token strings', async () => {
    await assertNoSecretsLogged(server, api.secrets);
  });
});
