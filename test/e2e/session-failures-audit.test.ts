import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { exportSPKI, importJWK, SignJWT } from 'jose';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { TestIdp } from '../helpers/test-idp.ts';

/** Every piece of a JWT long enough to be recognised in a stored row or a log line. */
function jwtParts(jwts: string[]): string[] {
  return jwts.flatMap((jwt) => [jwt, ...jwt.split('.').filter((part) => part.length > 16)]);
}

interface Answer {
  status: number;
  body: { fluxgateCode?: string; reason?: string };
  challenge: string | undefined;
}

/** GET with a bearer JWT from a chosen loopback address, so the server sees distinct sources. */
function ask(base: string, path: string, jwt: string, localAddress: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: { authorization: `Bearer ${jwt}` }, localAddress }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        const challenge = res.headers['www-authenticate'];
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), challenge });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const SOURCES = ['127.0.0.1', '127.0.0.2'] as const;
const REPEATS = 12;

/**
 * Each way a provider's JWT can be wrong, sent again and again from two addresses: every attempt
 * is a 401 with its reason, and the audit log holds them as failed authentications by source and
 * reason, aggregated (a few rows whose counts add up to every attempt), with no JWT in any row.
 */
describe('failed sign-ins reach the audit log aggregated, by source and reason, without the JWT', () => {
  let idp: TestIdp;
  let server: ServerProcess;
  const cases: Array<{ name: string; reason: string; jwt: string }> = [];

  before(async () => {
    idp = await TestIdp.start();
    idp.setAccount({ sub: 'mia', groups: 'member' });
    server = await startServerProcess({
      args: [
        '--oidc-issuer',
        idp.issuer,
        '--oidc-audience',
        idp.audience,
        '--oidc-group-claim',
        'groups',
        // Throttling is another test's (oidc-sessions): here every attempt must reach the audit log as itself.
        '--auth-failure-limit',
        '0',
        '--auth-failure-global-limit',
        '0',
      ],
    });
    const now = Math.floor(Date.now() / 1000);
    const [header, , signature] = (await idp.sign(idp.claimsFor('mia'))).split('.');
    const forgedClaims = Buffer.from(JSON.stringify(idp.claimsFor('mia', { sub: 'root' }))).toString('base64url');
    // The classic confusion: the provider's public key (as PEM) used as an HMAC secret.
    const publicPem = await exportSPKI((await importJWK(idp.currentPublicJwk, 'RS256')) as CryptoKey);
    const hs256 = await new SignJWT(idp.claimsFor('mia'))
      .setProtectedHeader({ alg: 'HS256', kid: idp.currentKid, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(publicPem));
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${forgedClaims}.`;
    cases.push(
      { name: 'bad signature', reason: 'session_bad_signature', jwt: `${header}.${forgedClaims}.${signature}` },
      {
        name: 'wrong audience',
        reason: 'session_wrong_audience',
        jwt: await idp.sign(idp.claimsFor('mia', { aud: 'another-app' })),
      },
      {
        name: 'wrong issuer',
        reason: 'session_wrong_issuer',
        jwt: await idp.sign(idp.claimsFor('mia', { iss: 'https://elsewhere.example' })),
      },
      {
        name: 'expired',
        reason: 'session_expired',
        jwt: await idp.sign(idp.claimsFor('mia', { iat: now - 7200, exp: now - 3600 })),
      },
      { name: 'alg none', reason: 'session_bad_algorithm', jwt: none },
      { name: 'HS256 with the public key', reason: 'session_bad_algorithm', jwt: hs256 },
      {
        name: 'unknown kid',
        reason: 'session_unknown_key',
        jwt: await idp.sign(idp.claimsFor('mia'), { kid: 'no-such-key' }),
      },
    );
  });
  after(async () => {
    await server?.dispose();
    await idp?.stop();
  });

  test('every bad JWT is refused with 401 and its reason, from each source, every time', async () => {
    const wrong: string[] = [];
    for (let round = 0; round < REPEATS; round++) {
      for (const source of SOURCES) {
        for (const { name, reason, jwt } of cases) {
          const answer = await ask(server.url, '/api/v0/auth/session', jwt, source);
          if (answer.status !== 401 || answer.body.reason !== reason || !answer.challenge?.includes(reason))
            wrong.push(`${name} from ${source}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('the audit log counts every one of them in a few rows per source and reason, and holds no JWT', async () => {
    // Shutdown writes out what the aggregation was still gathering.
    assert.equal(await server.stop(), 0);
    const db = new Database(join(server.dataDir, 'catalog.sqlite'), { readonly: true });
    let rows: Array<Record<string, unknown>>;
    try {
      rows = db.prepare("select * from audit_log where action = 'authentication.failed'").all() as typeof rows;
    } finally {
      db.close();
    }
    const attempts = new Map<string, number>();
    for (const { reason } of cases)
      for (const source of SOURCES)
        attempts.set(`${source} ${reason}`, (attempts.get(`${source} ${reason}`) ?? 0) + REPEATS);
    const counted = new Map<string, { rows: number; count: number }>();
    for (const row of rows) {
      const key = `${row.source_ip} ${JSON.parse(String(row.details)).reason}`;
      const seen = counted.get(key) ?? { rows: 0, count: 0 };
      counted.set(key, { rows: seen.rows + 1, count: seen.count + Number(row.count) });
      assert.deepEqual([row.actor_kind, row.outcome, row.actor_name], ['anonymous', 'failed', null]);
    }
    assert.deepEqual(
      new Map([...counted].map(([key, { count }]) => [key, count])),
      attempts,
      'each source and reason counts every attempt',
    );
    // The first of a key is written at once, its repeats in the window become one row.
    for (const [key, { rows: n }] of counted) assert.ok(n <= 2, `${key}: ${n} rows`);
    const total = [...attempts.values()].reduce((a, b) => a + b, 0);
    assert.ok(rows.length <= 2 * attempts.size && rows.length < total / 5, `${total} attempts in ${rows.length} rows`);
    const stored = JSON.stringify(rows);
    for (const part of jwtParts(cases.map((c) => c.jwt)))
      assert.ok(!stored.includes(part), 'a JWT is in the audit log');
    const log = server.output();
    for (const part of jwtParts(cases.map((c) => c.jwt))) assert.ok(!log.includes(part), 'a JWT is in the server log');
  });
});
