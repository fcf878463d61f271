import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FluxgateError } from '../../src/domain/errors.ts';
import { firstFreeName, nameFromDescription, validateDescription } from '../../src/services/token-input.ts';

/** A name lookup over a fixed set that counts how often it was asked. */
function lookup(taken: Iterable<string>) {
  const names = new Set(taken);
  const asked: string[] = [];
  return {
    asked,
    taken: async (name: string) => {
      asked.push(name);
      return names.has(name);
    },
  };
}

describe('names derived from a description', () => {
  test('the description, slugged, then -2, -3 … while taken', async () => {
    assert.equal(nameFromDescription('Deploy bot #2'), 'deploy-bot-2');
    assert.equal(await firstFreeName('deploy-bot', lookup([]).taken), 'deploy-bot');
    assert.equal(await firstFreeName('deploy-bot', lookup(['deploy-bot', 'deploy-bot-2']).taken), 'deploy-bot-3');
  });

  test('past twenty taken names a random suffix, and the lookups stay bounded', async () => {
    const crowded = ['ingest', ...Array.from({ length: 5000 }, (_, i) => `ingest-${i + 2}`)];
    const names = lookup(crowded);
    const name = await firstFreeName('ingest', names.taken);
    assert.match(name, /^ingest-[0-9a-f]{6}$/);
    assert.ok(names.asked.length <= 21, `${names.asked.length} lookups`);
  });

  test('when every candidate is taken, a clear 409 asking for a name', async () => {
    await assert.rejects(
      firstFreeName('x', async () => true),
      (error: unknown) =>
        error instanceof FluxgateError &&
        error.code === 'TOKEN_NAME_TAKEN' &&
        /give the token a name/.test(error.message),
    );
  });

  test('a description must not be blank and has a length cap', () => {
    assert.equal(validateDescription('CI pipeline'), 'CI pipeline');
    for (const bad of ['', '   ', 'x'.repeat(1001)]) assert.throws(() => validateDescription(bad), FluxgateError);
  });
});
