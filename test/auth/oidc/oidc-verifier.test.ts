import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { looksLikeJwt } from '../../../src/auth/oidc/jwt-shape.ts';
import { OidcVerifier, type OidcVerifierOptions } from '../../../src/auth/oidc/oidc-verifier.ts';
import { SessionFailure, type SessionFailureReason } from '../../../src/auth/oidc/session-failure.ts';
import { generateToken } from '../../../src/domain/token-format.ts';
import { TestIdp } from '../../helpers/test-idp.ts';

function verifierFor(idp: TestIdp, options: Partial<OidcVerifierOptions> = {}): OidcVerifier {
  return new OidcVerifier({
    issuer: idp.issuer,
    audience: idp.audience,
    jwksCooldownMs: 0,
    discoveryRetryMs: 0,
    timeoutMs: 5_000,
    clockToleranceSeconds: 5,
    now: () => Date.now(),
    ...options,
  });
}

async function refusal(verifier: OidcVerifier, jwt: string): Promise<SessionFailure> {
  try {
    await verifier.verify(jwt);
  } catch (error) {
    assert.ok(error instanceof SessionFailure, `expected a SessionFailure, got ${String(error)}`);
    for (const part of jwt.split('.').filter((p) => p.length > 8))
      assert.ok(!error.message.includes(part), 'the refusal message quotes the token');
    return error;
  }
  assert.fail('the token was accepted');
}

async function assertRefused(verifier: OidcVerifier, jwt: string, reason: SessionFailureReason): Promise<void> {
  assert.equal((await refusal(verifier, jwt)).reason, reason);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('OIDC verification against a real provider', () => {
  let idp: TestIdp;
  let other: TestIdp;
  let verifier: OidcVerifier;

  before(async () => {
    idp = await TestIdp.start();
    other = await TestIdp.start();
    idp.setAccount({ sub: 'alice', groups: ['admin'], email: 'alice@example.com', name: 'Alice' });
    other.setAccount({ sub: 'alice' });
    verifier = verifierFor(idp);
    assert.deepEqual(await verifier.start(), { ok: true });
  });
  after(async () => {
    await Promise.all([idp.stop(), other.stop()]);
  });

  test('a token the provider issued through the device flow verifies, with its subject and claims', async () => {
    const jwt = await idp.signIn('alice');
    assert.ok(looksLikeJwt(jwt));
    const session = await verifier.verify(jwt);
    assert.equal(session.subject, 'alice');
    assert.deepEqual(session.claims.groups, ['admin']);
    assert.equal(session.claims.email, 'alice@example.com');
    assert.ok(session.expiresAt > Date.now());
    assert.equal(verifier.metadata?.deviceAuthorizationEndpoint, `${idp.issuer}/device/auth`);
  });

  test('a token of another issuer is refused before any key lookup', async () => {
    const jwt = await other.signIn('alice');
    const fetches = idp.requestCount('/jwks');
    await assertRefused(verifier, jwt, 'wrong_issuer');
    assert.equal(idp.requestCount('/jwks'), fetches);
  });

  test('a token claiming our issuer but signed by another provider has an unknown key', async () => {
    await assertRefused(verifier, await other.sign(idp.claimsFor('alice')), 'unknown_key');
  });

  test('a token for another audience is refused', async () => {
    await assertRefused(verifier, await idp.sign(idp.claimsFor('alice', { aud: 'someone-else' })), 'wrong_audience');
  });

  test('an expired token and one not valid yet are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertRefused(
      verifier,
      await idp.sign(idp.claimsFor('alice', { iat: now - 7200, exp: now - 60 })),
      'expired',
    );
    await assertRefused(verifier, await idp.sign(idp.claimsFor('alice', { nbf: now + 600 })), 'not_yet_valid');
  });

  test('a token without a subject or without an expiry is refused', async () => {
    const { sub: _sub, ...noSubject } = idp.claimsFor('alice');
    await assertRefused(verifier, await idp.sign(noSubject), 'missing_claim');
    const { exp: _exp, ...noExpiry } = idp.claimsFor('alice');
    await assertRefused(verifier, await idp.sign(noExpiry), 'missing_claim');
  });

  test('an altered token fails its signature check', async () => {
    const [header, , signature] = (await idp.signIn('alice')).split('.');
    const forged = `${header}.${base64url(idp.claimsFor('mallory'))}.${signature}`;
    await assertRefused(verifier, forged, 'bad_signature');
  });

  test('alg none and HS256 signed with the public key are refused as algorithms', async () => {
    const claims = base64url(idp.claimsFor('alice'));
    await assertRefused(verifier, `${base64url({ alg: 'none', typ: 'JWT' })}.${claims}.`, 'bad_algorithm');
    const header = base64url({ alg: 'HS256', typ: 'JWT', kid: idp.currentKid });
    const secret = JSON.stringify(idp.currentPublicJwk);
    const mac = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
    await assertRefused(verifier, `${header}.${claims}.${mac}`, 'bad_algorithm');
  });

  test('a string that is not a JWT is malformed', async () => {
    await assertRefused(verifier, 'eyJub3QganNvbg.e30.c2ln', 'malformed_jwt');
  });

  test('fluxgate tokens never look like JWTs', () => {
    for (const kind of ['operator', 'admin', 'management', 'database'] as const)
      assert.equal(looksLikeJwt(generateToken(kind)), false);
    assert.equal(looksLikeJwt('apiv3_abc.def.ghi'), false);
    assert.equal(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.e30'), false);
    assert.equal(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'), true);
  });
});

describe('provider key sets over time', () => {
  test('a rotated signing key is fetched on its first use, without a restart', async () => {
    const idp = await TestIdp.start();
    try {
      idp.setAccount({ sub: 'bob' });
      const verifier = verifierFor(idp);
      await verifier.verify(await idp.signIn('bob'));
      await idp.rotateKeys();
      const rotated = await idp.signIn('bob');
      assert.notEqual(JSON.parse(Buffer.from(rotated.split('.')[0]!, 'base64url').toString()).kid, undefined);
      assert.equal((await verifier.verify(rotated)).subject, 'bob');
      // Tokens signed with the previous key still verify while the provider keeps publishing it.
      await idp.rotateKeys({ dropOld: true });
      assert.equal((await verifier.verify(await idp.signIn('bob'))).subject, 'bob');
    } finally {
      await idp.stop();
    }
  });

  test('unknown key ids refetch the key set at most once per cooldown', async () => {
    const idp = await TestIdp.start();
    try {
      const verifier = verifierFor(idp, { jwksCooldownMs: 600_000 });
      await verifier.verify(await idp.sign(idp.claimsFor('carol')));
      const fetches = idp.requestCount('/jwks');
      for (let i = 0; i < 5; i++)
        await assertRefused(verifier, await idp.signWithUnpublishedKey(idp.claimsFor('carol')), 'unknown_key');
      assert.ok(idp.requestCount('/jwks') - fetches <= 1, 'the key set was fetched for every unknown kid');
    } finally {
      await idp.stop();
    }
  });

  test('a provider that is down at start is retried, and sign-ins work once it is up', async () => {
    const idp = await TestIdp.reserve();
    try {
      const verifier = verifierFor(idp);
      const started = await verifier.start();
      assert.equal(started.ok, false);
      const jwt = await idp.sign(idp.claimsFor('dave'));
      const failure = await refusal(verifier, jwt);
      assert.equal(failure.reason, 'provider_unavailable');
      assert.match(failure.message, /identity provider is unavailable/);
      await idp.listen();
      assert.equal((await verifier.verify(jwt)).subject, 'dave');
    } finally {
      await idp.stop();
    }
  });

  test('while the provider stays down, discovery is retried at most once per retry interval', async () => {
    const idp = await TestIdp.reserve();
    let now = 1_000_000;
    const verifier = verifierFor(idp, { discoveryRetryMs: 10_000, now: () => now });
    await verifier.start();
    await idp.listen();
    try {
      const jwt = await idp.sign({ ...idp.claimsFor('erin'), exp: Math.floor(Date.now() / 1000) + 3600 });
      await assertRefused(verifier, jwt, 'provider_unavailable');
      assert.equal(idp.requestCount('/.well-known/openid-configuration'), 0);
      now += 10_000;
      assert.equal((await verifier.verify(jwt)).subject, 'erin');
      assert.equal(idp.requestCount('/.well-known/openid-configuration'), 1);
    } finally {
      await idp.stop();
    }
  });
});
