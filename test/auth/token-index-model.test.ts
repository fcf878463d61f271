import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Lookup, TokenIndex } from '../../src/auth/token-index.ts';
import type { TokenRecord } from '../../src/catalog/catalog.ts';
import { hashToken } from '../../src/domain/token-format.ts';

const RUNS = 400;
const TOKEN_IDS = [1, 2, 3, 4, 5, 6];
/** Presented token strings; the index knows them by their SHA-512. */
const SECRETS = Array.from({ length: 10 }, (_, i) => `fgd_secret_${i}`);
const HASHES = SECRETS.map(hashToken);

interface ModelSecret {
  tokenId: number;
  retiresAt: number;
}

/** The index's contract on plain Maps keyed by hex hash: what TokenIndex must answer, minus the speed. */
class MapModel {
  readonly bySecret = new Map<string, ModelSecret>();
  readonly secretsOf = new Map<number, string[]>();
  private readonly revoked = new Map<string, true>();
  private readonly unknown = new Map<string, true>();
  complete = true;

  constructor(
    private readonly maxEntries: number,
    private readonly maxRemembered: number,
  ) {}

  lookup(hash: string): { status: Lookup['status']; secret?: ModelSecret } {
    const secret = this.bySecret.get(hash);
    if (secret !== undefined) return { status: 'found', secret };
    if (this.revoked.has(hash)) return { status: 'revoked' };
    return { status: this.complete || this.unknown.has(hash) ? 'unknown' : 'miss' };
  }

  put(tokenId: number, secrets: { hash: string; retiresAt: number }[]): void {
    const kept = new Set(secrets.map((secret) => secret.hash));
    for (const old of this.secretsOf.get(tokenId) ?? []) if (!kept.has(old)) this.remember(this.revoked, old);
    this.drop(tokenId, false);
    for (const { hash, retiresAt } of secrets) {
      this.bySecret.set(hash, { tokenId, retiresAt });
      this.revoked.delete(hash);
      this.unknown.delete(hash);
    }
    this.secretsOf.set(
      tokenId,
      secrets.map((secret) => secret.hash),
    );
    while (this.bySecret.size > this.maxEntries) {
      const oldest = this.secretsOf.keys().next();
      if (oldest.done) break;
      this.drop(oldest.value, false);
      this.complete = false;
    }
  }

  revoke(tokenId: number): void {
    this.drop(tokenId, true);
  }

  rememberRevoked(hash: string): void {
    this.remember(this.revoked, hash);
  }

  rememberUnknown(hash: string): void {
    this.remember(this.unknown, hash);
  }

  private drop(tokenId: number, asRevoked: boolean): void {
    for (const hash of this.secretsOf.get(tokenId) ?? []) {
      this.bySecret.delete(hash);
      if (asRevoked) this.remember(this.revoked, hash);
    }
    this.secretsOf.delete(tokenId);
  }

  private remember(set: Map<string, true>, hash: string): void {
    set.delete(hash);
    set.set(hash, true);
    if (set.size > this.maxRemembered) set.delete(set.keys().next().value!);
  }
}

type Command =
  | { op: 'put'; tokenId: number; secrets: { secret: number; retiresAt: number | null }[]; expiresAt: number | null }
  | { op: 'revoke'; tokenId: number }
  | { op: 'rememberRevoked'; secrets: number[] }
  | { op: 'rememberUnknown'; secret: number }
  | { op: 'markIncomplete' };

const secretIndex = fc.nat({ max: SECRETS.length - 1 });
const tokenId = fc.constantFrom(...TOKEN_IDS);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      tokenId,
      secrets: fc.array(fc.record({ secret: secretIndex, retiresAt: fc.option(fc.nat()) }), { maxLength: 3 }),
      expiresAt: fc.option(fc.nat()),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revoke' as const), tokenId }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('rememberRevoked' as const),
      secrets: fc.array(secretIndex, { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rememberUnknown' as const), secret: secretIndex }) },
  { weight: 1, arbitrary: fc.constant({ op: 'markIncomplete' as const }) },
);

function record(id: number, expiresAt: number | null): TokenRecord {
  return {
    id,
    kind: 'database',
    name: `t${id}`,
    description: null,
    hint: 'fgd_secr…',
    createdAt: 0,
    createdBy: null,
    updatedAt: null,
    updatedBy: null,
    expiresAt,
    revokedAt: null,
    lastUsedAt: null,
    role: null,
    grants: [{ type: 'db', databases: [id % 2], actions: 16 }],
  };
}

function apply(index: TokenIndex, model: MapModel, cmd: Command, expiries: Map<number, number>): void {
  switch (cmd.op) {
    case 'put': {
      const secrets = cmd.secrets.map(({ secret, retiresAt }) => ({
        hash: HASHES[secret]!,
        tokenId: cmd.tokenId,
        retiresAt,
      }));
      index.put(record(cmd.tokenId, cmd.expiresAt), secrets);
      model.put(
        cmd.tokenId,
        secrets.map(({ hash, retiresAt }) => ({ hash, retiresAt: retiresAt ?? Number.POSITIVE_INFINITY })),
      );
      expiries.set(cmd.tokenId, cmd.expiresAt ?? Number.POSITIVE_INFINITY);
      return;
    }
    case 'revoke':
      index.revoke(cmd.tokenId);
      model.revoke(cmd.tokenId);
      return;
    case 'rememberRevoked':
      index.rememberRevoked(cmd.secrets.map((secret) => HASHES[secret]!));
      for (const secret of cmd.secrets) model.rememberRevoked(HASHES[secret]!);
      return;
    case 'rememberUnknown':
      index.rememberUnknown(HASHES[cmd.secret]!);
      model.rememberUnknown(HASHES[cmd.secret]!);
      return;
    case 'markIncomplete':
      index.markIncomplete();
      model.complete = false;
  }
}

function assertSameAnswers(index: TokenIndex, model: MapModel, expiries: Map<number, number>): void {
  assert.equal(index.size, model.bySecret.size);
  assert.equal(index.complete, model.complete);
  for (const id of TOKEN_IDS) assert.equal(index.has(id), model.secretsOf.has(id), `has(${id})`);
  SECRETS.forEach((secret, i) => {
    const expected = model.lookup(HASHES[i]!);
    for (const actual of [index.lookup(HASHES[i]!), index.lookupToken(secret)]) {
      assert.equal(actual.status, expected.status, `status of secret ${i}`);
      if (actual.status !== 'found' || expected.secret === undefined) continue;
      assert.equal(actual.token.id, expected.secret.tokenId);
      assert.equal(actual.token.name, `t${expected.secret.tokenId}`);
      assert.equal(actual.token.expiresAt, expiries.get(expected.secret.tokenId));
      assert.equal(actual.retiresAt, expected.secret.retiresAt);
    }
  });
}

test(`TokenIndex answers as a Map model under put, replace, revoke, remember and eviction (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(command, { maxLength: 60 }),
      (maxEntries, maxRemembered, commands) => {
        const index = new TokenIndex({ maxEntries, maxRemembered });
        const model = new MapModel(maxEntries, maxRemembered);
        const expiries = new Map<number, number>();
        for (const cmd of commands) {
          apply(index, model, cmd, expiries);
          assertSameAnswers(index, model, expiries);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

test('a large index grows past many resizes and still answers every secret', () => {
  const index = new TokenIndex({ maxEntries: 50_000, maxRemembered: 50_000 });
  const hashes = Array.from({ length: 20_000 }, (_, i) => hashToken(`fgd_bulk_${i}`));
  for (const [i, hash] of hashes.entries()) {
    index.put(record(i + 1, null), [{ hash, tokenId: i + 1, retiresAt: null }]);
  }
  for (let id = 1; id <= hashes.length; id += 3) index.revoke(id);
  hashes.forEach((hash, i) => {
    const found = index.lookup(hash);
    if (i % 3 === 0) assert.equal(found.status, 'revoked');
    else assert.equal(found.status === 'found' && found.token.id, i + 1);
  });
  assert.equal(index.complete, true);
});
