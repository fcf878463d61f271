// Session (identity-provider JWT) verification beside fluxgate-token verification, in process, one
// core. The provider is a real oidc-provider on loopback; its key set is fetched once and cached, so
// the loop measures what every signed-in request pays: decode, RS256 signature, claims, user lookup.
// Prints checks/s and p50/p99 for each, and the ratio, measured side by side in the same run.
import { verifyToken } from '../src/auth/authenticator.ts';
import { OidcVerifier } from '../src/auth/oidc/oidc-verifier.ts';
import { SessionAuthenticator } from '../src/auth/oidc/session-authenticator.ts';
import { TokenIndex } from '../src/auth/token-index.ts';
import type { UserRecord } from '../src/catalog/catalog.ts';
import { dbActionBits } from '../src/domain/permissions.ts';
import { generateToken, hashToken } from '../src/domain/token-format.ts';
import { TestIdp } from '../test/helpers/test-idp.ts';

const ITERATIONS = 20_000;
const now = Date.now();

async function measure(name: string, tokens: string[], check: (token: string) => unknown): Promise<number> {
  for (let i = 0; i < 2_000; i++) await check(tokens[i % tokens.length]!);
  const times = new Float64Array(ITERATIONS);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    await check(tokens[i % tokens.length]!);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort();
  const perSecond = ITERATIONS / seconds;
  console.log(
    `${name.padEnd(44)} ${Math.round(perSecond).toLocaleString('en').padStart(9)}  ${times[Math.floor(ITERATIONS * 0.5)]!.toFixed(1).padStart(7)}  ${times[Math.floor(ITERATIONS * 0.99)]!.toFixed(1).padStart(7)}`,
  );
  return perSecond;
}

const idp = await TestIdp.start();
try {
  const verifier = new OidcVerifier({
    issuer: idp.issuer,
    audience: idp.audience,
    jwksCooldownMs: 30_000,
    discoveryRetryMs: 10_000,
    timeoutMs: 5_000,
    clockToleranceSeconds: 30,
    now: Date.now,
  });
  await verifier.start();
  // 100 users with one token each, issued by the provider's device flow (RS256, its own key).
  const users = new Map<string, UserRecord>();
  const jwts: string[] = [];
  for (let i = 0; i < 100; i++) {
    const sub = `user-${i}`;
    idp.setAccount({ sub, groups: 'member', name: `User ${i}` });
    users.set(sub, {
      id: i + 1,
      subject: sub,
      role: 'member',
      source: 'claim',
      email: null,
      displayName: `User ${i}`,
      createdAt: now,
      updatedAt: null,
      disabledAt: null,
      removedAt: null,
      lastSeenAt: null,
    });
    jwts.push(await idp.signIn(sub));
  }
  const sessions = new SessionAuthenticator({
    verifier,
    groupClaim: 'groups',
    now: Date.now,
    users: {
      current: (subject) => users.get(subject),
      provision: async () => undefined,
      followClaim: async (user) => user,
      seen: () => {},
    },
  });

  const index = new TokenIndex({ maxEntries: 10_000, maxRemembered: 1_000 });
  const tokens = Array.from({ length: 1_000 }, () => generateToken('management'));
  tokens.forEach((token, i) => {
    index.put(
      {
        id: i + 1,
        kind: 'database',
        name: `t-${i}`,
        description: null,
        hint: 'fgd_…',
        createdAt: now,
        createdBy: null,
        updatedAt: null,
        updatedBy: null,
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
        role: null,
        grants: [{ type: 'db', databases: '*', actions: dbActionBits('read') }],
      },
      [{ hash: hashToken(token), tokenId: i + 1, retiresAt: null }],
    );
  });

  console.log(`verification, one core, ${ITERATIONS.toLocaleString('en')} sequential checks each (awaited)`);
  console.log(`${'path'.padEnd(44)} ${'checks/s'.padStart(9)}  ${'p50 µs'.padStart(7)}  ${'p99 µs'.padStart(7)}`);
  const tokenRate = await measure('fluxgate token (1k index)', tokens, (t) => verifyToken(index, t, now));
  const jwtRate = await measure('session JWT: signature + claims (cached keys)', jwts, (t) => verifier.verify(t));
  const sessionRate = await measure('session JWT + user lookup (SessionAuthenticator)', jwts, (t) =>
    sessions.authenticate(t),
  );
  console.log(
    `ratios: fluxgate token ÷ session JWT = ${(tokenRate / jwtRate).toFixed(1)}; JWT verify ÷ full session = ${(jwtRate / sessionRate).toFixed(2)}`,
  );
} finally {
  await idp.stop();
}
