import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootstrap, call } from '../helpers/http.ts';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

function oidcArgs(idp: TestIdp, extra: string[] = []): string[] {
  return [
    '--oidc-issuer',
    idp.issuer,
    '--oidc-audience',
    idp.audience,
    '--oidc-client-id',
    idp.clientId,
    '--oidc-group-claim',
    'groups',
    '--oidc-admin-subjects',
    'root',
    '--oidc-jwks-cooldown',
    '1ms',
    ...extra,
  ];
}

/** Every piece of a JWT long enough to be recognised in a log line. */
function jwtParts(jwts: string[]): string[] {
  return jwts.flatMap((jwt) => [jwt, ...jwt.split('.').filter((part) => part.length > 16)]);
}

/** v3 answers `{error, code}`; the v0 paths (`/api/v0/auth/session`) `{code: status, message, fluxgateCode}`. */
interface ErrorBody {
  code: string;
  error: string;
  fluxgateCode?: string;
  message?: string;
  reason?: string;
}

test('serve refuses --oidc-issuer without --oidc-audience, and the audience without an issuer', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxgate-oidc-flags-'));
  try {
    const noAudience = await runCli(['serve', '--data-dir', dataDir, '--oidc-issuer', 'http://127.0.0.1:9/']);
    assert.equal(noAudience.code, 2);
    assert.match(noAudience.stderr, /--oidc-issuer needs --oidc-audience/);
    const noIssuer = await runCli(['serve', '--data-dir', dataDir, '--oidc-audience', 'fluxgate']);
    assert.equal(noIssuer.code, 2);
    assert.match(noIssuer.stderr, /--oidc-audience needs --oidc-issuer/);
    const fromEnv = await runCli(['serve', '--data-dir', dataDir], {
      env: { FLUXGATE_OIDC_ISSUER: 'http://127.0.0.1:9/' },
    });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /--oidc-audience/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('a provider that is down when the server starts', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  test('the server starts, sign-ins get 503 with the reason, fluxgate tokens work, and sign-ins work once it is up', async () => {
    idp = await TestIdp.reserve();
    idp.setAccount({ sub: 'root' });
    server = await startServerProcess({ args: oidcArgs(idp) });
    assert.match(server.output(), /identity provider unreachable/);
    const operator = await bootstrap(server.url);
    const jwt = await idp.sign(idp.claimsFor('root'));
    const down = await call<ErrorBody>(server.url, 'GET', '/api/v0/auth/session', { token: jwt });
    assert.equal(down.status, 503);
    assert.equal(down.body.fluxgateCode, 'IDENTITY_PROVIDER_UNAVAILABLE');
    assert.match(
      down.body.message ?? '',
      /identity provider is unavailable: cannot read http:\/\/127\.0\.0\.1:\d+\/\.well-known/,
    );
    assert.equal((await call(server.url, 'GET', '/api/v3/configure/token', { token: operator })).status, 200);

    await idp.listen();
    const up = await call<{ subject: string; group: string }>(server.url, 'GET', '/api/v0/auth/session', {
      token: jwt,
    });
    assert.equal(up.status, 200, up.text);
    assert.deepEqual([up.body.subject, up.body.group], ['root', 'admin']);
  });
});

describe('sessions against a running server', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  let operator: string;
  const issued: string[] = [];
  const signIn = async (sub: string) => {
    const jwt = await idp.signIn(sub);
    issued.push(jwt);
    return jwt;
  };
  const refusal = async (jwt: string) => {
    issued.push(jwt);
    return call<ErrorBody>(server.url, 'GET', '/api/v0/auth/session', { token: jwt });
  };

  before(async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'root', name: 'Root Admin' });
    idp.setAccount({ sub: 'mia', groups: ['Member'], email: 'mia@example.com', name: 'Mia' });
    idp.setAccount({ sub: 'ada', groups: 'auditor', name: 'Ada' });
    idp.setAccount({ sub: 'nobody', groups: ['engineering'] });
    server = await startServerProcess({ args: oidcArgs(idp, ['--auth-failure-limit', '1000']) });
    operator = await bootstrap(server.url);
    await call(server.url, 'POST', '/api/v3/configure/database', { token: operator, json: { db: 'sensors' } });
  });
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  test('the CLI learns the provider from the server without a token', async () => {
    const config = await call(server.url, 'GET', '/api/v0/auth/config');
    assert.equal(config.status, 200);
    assert.deepEqual(config.body, { issuer: idp.issuer, audience: idp.audience, clientId: idp.clientId });
  });

  test('each user acts in their group: declared Admin, and groups from the claim', async () => {
    for (const [sub, group, name] of [
      ['root', 'admin', 'Root Admin'],
      ['mia', 'member', 'Mia'],
      ['ada', 'auditor', 'Ada'],
    ] as const) {
      const session = await call<{ subject: string; group: string; displayName: string; expiresAt: string }>(
        server.url,
        'GET',
        '/api/v0/auth/session',
        { token: await signIn(sub) },
      );
      assert.equal(session.status, 200, session.text);
      assert.deepEqual([session.body.subject, session.body.group, session.body.displayName], [sub, group, name]);
      assert.ok(Date.parse(session.body.expiresAt) > Date.now());
    }
  });

  test('a subject whose claim names no group is refused with 401 and the reason', async () => {
    const response = await refusal(await signIn('nobody'));
    assert.equal(response.status, 401);
    assert.equal(response.body.fluxgateCode, 'USER_NOT_ALLOWED');
    assert.equal(response.body.reason, 'session_no_group');
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /error="invalid_token", error_description="session_no_group"/,
    );
  });

  test('sessions never write or query data, whatever their group', async () => {
    const root = await signIn('root');
    const write = await call<ErrorBody>(server.url, 'POST', '/api/v3/write_lp?db=sensors', {
      token: root,
      body: 'cpu value=1',
    });
    assert.equal(write.status, 403, write.text);
    assert.equal(write.body.code, 'PERMISSION_DENIED');
    const query = await call<ErrorBody>(server.url, 'GET', '/api/v3/query_sql?db=sensors&q=select+1', { token: root });
    assert.equal(query.status, 403, query.text);
  });

  test('each bad token is refused with its reason, counted per reason in /metrics', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [header, , signature] = (await signIn('mia')).split('.');
    const forgedClaims = Buffer.from(JSON.stringify(idp.claimsFor('root'))).toString('base64url');
    const cases: Array<[string, string, string]> = [
      [await idp.sign(idp.claimsFor('mia', { aud: 'another-app' })), 'SESSION_INVALID', 'session_wrong_audience'],
      [
        await idp.sign(idp.claimsFor('mia', { iss: 'https://elsewhere.example' })),
        'SESSION_INVALID',
        'session_wrong_issuer',
      ],
      [await idp.signWithUnpublishedKey(idp.claimsFor('mia')), 'SESSION_INVALID', 'session_unknown_key'],
      [`${header}.${forgedClaims}.${signature}`, 'SESSION_INVALID', 'session_bad_signature'],
      [await idp.sign(idp.claimsFor('mia', { exp: now - 600, iat: now - 4000 })), 'SESSION_EXPIRED', 'session_expired'],
      [await idp.sign(idp.claimsFor('mia', { nbf: now + 3600 })), 'SESSION_EXPIRED', 'session_not_yet_valid'],
    ];
    for (const [jwt, code, reason] of cases) {
      const response = await refusal(jwt);
      assert.equal(response.status, 401, `${reason}: ${response.text}`);
      assert.deepEqual([response.body.fluxgateCode, response.body.reason], [code, reason]);
    }
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${forgedClaims}.`;
    assert.equal((await refusal(none)).body.reason, 'session_bad_algorithm');
    const metrics = await call(server.url, 'GET', '/metrics', { token: operator });
    for (const reason of ['session_wrong_audience', 'session_expired', 'session_bad_algorithm', 'session_no_group'])
      assert.match(metrics.text, new RegExp(`fluxgate_auth_outcomes_total\\{outcome="${reason}"\\} [1-9]`));
  });

  test('a JWT is never taken for a fluxgate token, and a malformed fluxgate token is still refused as one', async () => {
    const response = await call<ErrorBody>(server.url, 'GET', '/api/v3/configure/token', {
      // Another last character (never the same one), so the checksum no longer matches.
      token: `${operator.slice(0, -1)}${operator.endsWith('x') ? 'y' : 'x'}`,
    });
    assert.equal(response.status, 401);
    assert.equal(response.body.code, 'TOKEN_MALFORMED');
  });

  test('keys rotated at the provider are picked up without a restart', async () => {
    await idp.rotateKeys({ dropOld: true });
    const response = await call(server.url, 'GET', '/api/v0/auth/session', { token: await signIn('mia') });
    assert.equal(response.status, 200, response.text);
  });

  test('no JWT appears in any log line', async () => {
    const output = server.output();
    for (const part of jwtParts(issued)) assert.ok(!output.includes(part), 'a JWT (or a piece of one) was logged');
  });
});

describe('failed sign-ins are throttled per source as token failures are', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  test('forged JWTs from one address get 429 past the limit; a valid sign-in still works from it', async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'root' });
    server = await startServerProcess({ args: oidcArgs(idp, ['--auth-failure-limit', '3']) });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const forged = await idp.signWithUnpublishedKey(idp.claimsFor('root'));
      statuses.push((await call(server.url, 'GET', '/api/v0/auth/session', { token: forged })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const valid = await call(server.url, 'GET', '/api/v0/auth/session', { token: await idp.signIn('root') });
    assert.equal(valid.status, 200);
  });
});
