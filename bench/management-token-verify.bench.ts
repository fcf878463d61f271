// Management-token verification on the hot path database tokens take (issue 7): the same
// TokenIndex, the same Authenticator, then the matrix decision for a management action. One index
// of 1k, 100k and 1M tokens, half management tokens (roles admin, member, auditor) and half
// database tokens, so both kinds are measured side by side on the same index in the same run.
// Prints checks/s on one core and p50/p99 per check, for the core (verifyToken + decide) and for
// the full path (Authorization header → Authenticator.authenticate → decide), and the ratio of
// management to database tokens.
import { Authenticator, verifyToken } from '../src/auth/authenticator.ts';
import { extractCredential } from '../src/auth/credentials.ts';
import { FailureThrottle } from '../src/auth/failure-throttle.ts';
import { TokenIndex } from '../src/auth/token-index.ts';
import { UsageTracker } from '../src/auth/usage-tracker.ts';
import type { Catalog, TokenRecord } from '../src/catalog/catalog.ts';
import { decide } from '../src/domain/authorization.ts';
import { dbActionBits, type Need } from '../src/domain/permissions.ts';
import type { Principal, Role } from '../src/domain/principal.ts';
import { generateToken, hashToken } from '../src/domain/token-format.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const WRITE: Need = { kind: 'db', dbId: 7, actions: dbActionBits('write') };
const ROLES: Role[] = ['admin', 'member', 'auditor'];
const now = Date.now();

function record(id: number, management: boolean): TokenRecord {
  return {
    id,
    kind: management ? 'management' : 'database',
    name: `${management ? 'mgmt' : 'writer'}-${id}`,
    description: null,
    hint: 'fgm_xxxx…',
    createdAt: now,
    createdBy: 1,
    updatedAt: null,
    updatedBy: null,
    expiresAt: now + 86_400_000,
    revokedAt: null,
    lastUsedAt: null,
    role: management ? ROLES[id % 3]! : null,
    grants: management ? [] : [{ type: 'db', databases: [id % 50, 7], actions: dbActionBits('read', 'write') }],
  };
}

/** Tokens as the HTTP layer hands them over: flat strings, not the rope generateToken builds. */
function presented(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}

function principalOf(found: NonNullable<ReturnType<typeof verifyToken>>): Principal {
  return {
    kind: 'token',
    tokenId: found.id,
    tokenKind: found.kind,
    role: found.role,
    name: found.name,
    authority: found.authority,
    expiresAt: found.expiresAt,
    sourceIp: '10.0.0.1',
  };
}

function rate(items: string[], iterations: number, check: (item: string) => boolean): number {
  let ok = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (check(items[i % items.length]!)) ok++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (ok < 0) console.log(ok);
  return iterations / seconds;
}

function latencies(items: string[], samples: number, check: (item: string) => boolean): { p50: number; p99: number } {
  const times = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const item = items[(i * 7919) % items.length]!;
    const start = process.hrtime.bigint();
    check(item);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  return { p50: times[Math.floor(samples * 0.5)]!, p99: times[Math.floor(samples * 0.99)]! };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en').padStart(10);

console.log('management vs database token verification + decision, one core, one index holding both kinds');
console.log('tokens    path  mgmt/s      db/s  mgmt÷db  mgmt p50 µs  p99 µs  db p50 µs  p99 µs');
for (const size of [1_000, 100_000, 1_000_000]) {
  const tokens = Array.from({ length: size }, (_, i) =>
    presented(generateToken(i % 2 === 0 ? 'management' : 'database')),
  );
  const index = new TokenIndex({ maxEntries: 2_000_000, maxRemembered: 100_000 });
  for (let i = 0; i < size; i++) {
    index.put(record(i + 1, i % 2 === 0), [{ hash: hashToken(tokens[i]!), tokenId: i + 1, retiresAt: null }]);
  }
  const pick = (management: boolean) =>
    Array.from({ length: Math.min(size / 2, 50_000) }, () => {
      const i = 2 * Math.floor((Math.random() * size) / 2) + (management ? 0 : 1);
      return tokens[Math.min(i, size - 1)]!;
    });
  const mgmt = pick(true);
  const db = pick(false);
  tokens.length = 0;
  gc();

  // Core: verify, then the matrix cell (a management action for management tokens, a write for database ones).
  const coreMgmt = (token: string) => {
    const found = verifyToken(index, token, now);
    if (found === undefined) return false;
    const principal = principalOf(found);
    // Every management token is also refused data: both decisions are made, as a request to each would.
    return decide(principal, 'database_token.list').allowed && !decide(principal, 'data.write', WRITE).allowed;
  };
  const coreDb = (token: string) => {
    const found = verifyToken(index, token, now);
    return found !== undefined && decide(principalOf(found), 'data.write', WRITE).allowed;
  };
  const authenticator = new Authenticator({
    index,
    catalog: {} as Catalog, // the index holds every token: no lookup reaches the catalog
    throttle: new FailureThrottle({ limit: 30, windowMs: 60_000, blockMs: 60_000, maxSources: 100_000 }),
    usage: new UsageTracker({ recordLastUsed: async () => {} }, () => {}),
    now: () => now,
  });
  const full = (action: 'database_token.list' | 'data.write') => (token: string) => {
    const principal = authenticator.authenticate(extractCredential(`Bearer ${token}`), '10.0.0.1') as Principal;
    return decide(principal, action, action === 'data.write' ? WRITE : undefined).allowed;
  };
  for (const [path, mgmtCheck, dbCheck] of [
    ['core', coreMgmt, coreDb],
    ['full', full('database_token.list'), full('data.write')],
  ] as const) {
    for (const sample of [mgmt, db]) if (!sample.every((t) => verifyToken(index, t, now))) throw new Error('sample');
    rate(mgmt, 200_000, mgmtCheck);
    rate(db, 200_000, dbCheck);
    const mgmtRate = rate(mgmt, 1_000_000, mgmtCheck);
    const dbRate = rate(db, 1_000_000, dbCheck);
    const m = latencies(mgmt, 100_000, mgmtCheck);
    const d = latencies(db, 100_000, dbCheck);
    console.log(
      `${String(size).padEnd(9)} ${path}  ${fmt(mgmtRate)} ${fmt(dbRate)}  ${(mgmtRate / dbRate).toFixed(2).padStart(7)}  ${m.p50.toFixed(2).padStart(11)}  ${m.p99.toFixed(2).padStart(6)}  ${d.p50.toFixed(2).padStart(9)}  ${d.p99.toFixed(2).padStart(6)}`,
    );
  }
}
console.log('targets: ≥ 300,000 management checks/s and p99 ≤ 10 µs at 1M tokens, on the path database tokens take');
