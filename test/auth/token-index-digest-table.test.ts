import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DIGEST_BYTES, DigestTable } from '../../src/auth/digest-table.ts';

const RUNS = 500;

/** A digest key whose first four bytes (the home slot) are `word` and whose rest is `tail`. */
function keyOf(word: number, tail: Uint8Array): string {
  const bytes = Buffer.alloc(DIGEST_BYTES);
  bytes.writeUInt32LE(word >>> 0, 0);
  bytes.set(tail.subarray(0, DIGEST_BYTES - 4), 4);
  return bytes.toString('binary');
}

const randomKey = () => randomBytes(DIGEST_BYTES).toString('binary');

/**
 * Keys crowded onto a few home words, so probe runs form, wrap past the last slot (0xffffffff homes
 * there at every size) and must be repaired on deletion. Tails differ in their last byte only now
 * and then, so comparisons must read the whole digest.
 */
const keyPool = fc
  .uniqueArray(
    fc.record({
      word: fc.oneof(fc.constantFrom(0, 0xffffffff, 0x0000000f, 0x7ffffffe, 1), fc.integer()),
      tail: fc.oneof(
        fc.uint8Array({ minLength: DIGEST_BYTES - 4, maxLength: DIGEST_BYTES - 4 }),
        fc.integer({ min: 0, max: 3 }).map((last) => {
          const tail = new Uint8Array(DIGEST_BYTES - 4);
          tail[tail.length - 1] = last;
          return tail;
        }),
      ),
    }),
    { minLength: 1, maxLength: 80, selector: ({ word, tail }) => keyOf(word, tail) },
  )
  .map((specs) => specs.map(({ word, tail }) => keyOf(word, tail)));

type Command = { op: 'set'; key: number; value: number } | { op: 'delete'; key: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), key: fc.nat(), value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.nat() }) },
);

describe('DigestTable', () => {
  test(`behaves as a Map under set, replace, delete and growth (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(keyPool, fc.array(command, { maxLength: 300 }), (keys, commands) => {
        const table = new DigestTable<{ value: number }>();
        const model = new Map<string, { value: number }>();
        for (const cmd of commands) {
          const key = keys[cmd.key % keys.length]!;
          if (cmd.op === 'set') {
            const value = { value: cmd.value };
            table.set(key, value);
            model.set(key, value);
          } else {
            assert.equal(table.delete(key), model.delete(key));
          }
          assert.equal(table.size, model.size);
          for (const probe of keys) assert.equal(table.get(probe), model.get(probe));
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('keeps every key through many growths and deletions', () => {
    const table = new DigestTable<{ i: number }>();
    const keys = Array.from({ length: 20_000 }, randomKey);
    for (const [i, key] of keys.entries()) table.set(key, { i });
    assert.equal(table.size, keys.length);
    for (const [i, key] of keys.entries()) if (i % 2 === 0) assert.ok(table.delete(key));
    assert.equal(table.size, keys.length / 2);
    for (const [i, key] of keys.entries()) assert.equal(table.get(key)?.i, i % 2 === 0 ? undefined : i);
    assert.equal(table.get(randomKey()), undefined);
  });

  test('finds nothing for keys of another length; refuses to store them', () => {
    const table = new DigestTable<object>();
    table.set(randomKey(), {});
    assert.equal(table.get('short'), undefined);
    assert.equal(table.delete('short'), false);
    assert.throws(() => table.set('short', {}), RangeError);
    assert.throws(() => table.set('\u0100'.repeat(DIGEST_BYTES), {}), RangeError, 'not a one-byte string');
    assert.equal(table.size, 1);
  });
});
