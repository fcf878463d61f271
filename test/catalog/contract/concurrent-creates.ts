import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenRecord } from '../../../src/catalog/catalog.ts';
import { FluxgateError } from '../../../src/domain/errors.ts';
import type { Grant } from '../../../src/domain/permissions.ts';
import { audit, type ContractContext, newToken, rowCounts, uniqueHash, uniqueName } from './fixtures.ts';

const AT = 1_700_000_500_000;
const CONCURRENT = 12;

/** Settles every promise and names the outcome: the record, or the error's code and message. */
async function outcomes(promises: Promise<TokenRecord>[]): Promise<Array<TokenRecord | string>> {
  const settled = await Promise.allSettled(promises);
  return settled.map((s) => {
    if (s.status === 'fulfilled') return s.value;
    assert.ok(s.reason instanceof FluxgateError, `expected a FluxgateError, got ${String(s.reason)}`);
    return `${s.reason.code}: ${s.reason.message}`;
  });
}

/** `counts` with each table of `added` grown by that many rows. */
function grownBy(counts: Record<string, number>, added: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([table, n]) => [table, n + (added[table] ?? 0)]));
}

/** Concurrent creates are committed together (a group commit); each still succeeds or fails alone. */
export function concurrentCreateContract(ctx: ContractContext): void {
  test('concurrent creates all commit, each with its own id, grants, secret, audit and change rows', async () => {
    const before = await rowCounts(ctx.harness);
    const version = await ctx.catalog.latestVersion();
    const grantsOf = (i: number): Grant[] =>
      i % 3 === 0
        ? []
        : [
            { type: 'db', databases: [i], actions: 16 },
            { type: 'system', resources: i },
          ];
    const inputs = Array.from({ length: CONCURRENT }, (_, i) =>
      newToken({ name: uniqueName('burst'), grants: grantsOf(i), createdAt: AT + i }),
    );
    const hashes = inputs.map(() => uniqueHash());
    const made = await Promise.all(
      inputs.map((input, i) =>
        ctx.catalog.createToken(input, hashes[i] as string, audit({ action: `burst.${i}`, targetName: input.name })),
      ),
    );

    assert.equal(new Set(made.map((t) => t.id)).size, CONCURRENT);
    for (const [i, token] of made.entries()) {
      const input = inputs[i];
      assert.equal(token.name, input?.name);
      assert.deepEqual(token.grants, grantsOf(i));
      assert.deepEqual(await ctx.catalog.getToken(token.id), token);
      assert.deepEqual((await ctx.catalog.findTokenByHash(hashes[i] as string))?.token, token);
    }
    const grantRows = inputs.reduce((n, input) => n + input.grants.length, 0);
    assert.deepEqual(
      await rowCounts(ctx.harness),
      grownBy(before, {
        tokens: CONCURRENT,
        token_secrets: CONCURRENT,
        token_grants: grantRows,
        audit_log: CONCURRENT,
        catalog_changes: CONCURRENT,
      }),
    );
    const records = await ctx.catalog.listAudit({ limit: CONCURRENT });
    assert.deepEqual(
      records.map((r) => [r.action, r.targetId]).sort(),
      made.map((t, i) => [`burst.${i}`, t.id]).sort(),
    );
    const changes = await ctx.catalog.changesSince(version, 1000);
    assert.deepEqual(changes.map((c) => c.entityId).sort(), made.map((t) => t.id).sort());
    assert.deepEqual(
      changes.map((c) => c.version),
      [...changes.map((c) => c.version)].sort((a, b) => a - b),
    );
    assert.ok(changes.every((c) => c.entity === 'token'));
  });

  test('more concurrent creates than one commit takes: all of them commit', async () => {
    const version = await ctx.catalog.latestVersion();
    const made = await Promise.all(
      Array.from({ length: 150 }, () => ctx.catalog.createToken(newToken(), uniqueHash(), audit())),
    );
    assert.equal(new Set(made.map((t) => t.id)).size, 150);
    assert.equal((await ctx.catalog.changesSince(version, 1000)).length, 150);
  });

  test('a taken name among concurrent creates fails that create alone, with TOKEN_NAME_TAKEN naming it', async () => {
    const taken = await ctx.catalog.createToken(newToken(), uniqueHash(), audit());
    const before = await rowCounts(ctx.harness);
    const names = Array.from({ length: CONCURRENT }, (_, i) => (i === 5 ? taken.name : uniqueName('beside')));
    const results = await outcomes(
      names.map((name) => ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit())),
    );
    assert.deepEqual(
      results.map((r) => (typeof r === 'string' ? r : r.name)),
      names.map((name, i) => (i === 5 ? `TOKEN_NAME_TAKEN: a token named '${taken.name}' already exists` : name)),
    );
    assert.deepEqual(
      await rowCounts(ctx.harness),
      grownBy(before, {
        tokens: CONCURRENT - 1,
        token_secrets: CONCURRENT - 1,
        token_grants: CONCURRENT - 1,
        audit_log: CONCURRENT - 1,
        catalog_changes: CONCURRENT - 1,
      }),
    );
    assert.equal((await ctx.catalog.findTokenByName(taken.name))?.id, taken.id);
  });

  test('the same name twice among concurrent creates: the first wins, the second gets TOKEN_NAME_TAKEN', async () => {
    const twice = uniqueName('twice');
    const names = [uniqueName('solo'), twice, uniqueName('solo'), twice, uniqueName('solo')];
    const results = await outcomes(
      names.map((name) => ctx.catalog.createToken(newToken({ name }), uniqueHash(), audit())),
    );
    assert.deepEqual(
      results.map((r) => (typeof r === 'string' ? r : r.name)),
      [names[0], twice, names[2], `TOKEN_NAME_TAKEN: a token named '${twice}' already exists`, names[4]],
    );
    assert.equal((await ctx.catalog.findTokenByName(twice))?.id, (results[1] as TokenRecord).id);
  });

  test('a known secret among concurrent creates fails that create alone with TOKEN_HASH_TAKEN', async () => {
    const known = uniqueHash();
    await ctx.catalog.createToken(newToken(), known, audit());
    const before = await rowCounts(ctx.harness);
    const names = Array.from({ length: 4 }, () => uniqueName('secretive'));
    const results = await outcomes(
      names.map((name, i) => ctx.catalog.createToken(newToken({ name }), i === 2 ? known : uniqueHash(), audit())),
    );
    assert.deepEqual(
      results.map((r) => (typeof r === 'string' ? r : r.name)),
      [names[0], names[1], 'TOKEN_HASH_TAKEN: a token with this secret is already registered', names[3]],
    );
    assert.equal(await ctx.catalog.findTokenByName(names[2] as string), undefined);
    assert.equal((await rowCounts(ctx.harness)).tokens, (before.tokens ?? 0) + 3);
  });
}
