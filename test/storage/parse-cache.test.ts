import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParseCache } from '../../src/storage/parse-cache.ts';

describe('ParseCache (a repeated SQL text is parsed once)', () => {
  const counting = () => {
    const calls: string[] = [];
    const parse = async (sql: string) => {
      calls.push(sql);
      if (sql === 'bad') throw new Error('does not parse');
      return { sql };
    };
    return { calls, parse };
  };

  test('a repeated text is parsed once and gets the same tree', async () => {
    const { calls, parse } = counting();
    const cache = new ParseCache(parse);
    const first = await cache.parseSelect('SELECT 1');
    const again = await cache.parseSelect('SELECT 1');
    assert.equal(again, first);
    assert.deepEqual(calls, ['SELECT 1']);
  });

  test('a text that does not parse throws every time and is not kept', async () => {
    const { calls, parse } = counting();
    const cache = new ParseCache(parse);
    await assert.rejects(cache.parseSelect('bad'), /does not parse/);
    await assert.rejects(cache.parseSelect('bad'), /does not parse/);
    assert.equal(calls.length, 2);
    assert.equal(cache.size, 0);
  });

  test('bounded: past the limit the least recently used text goes, a long text is never kept', async () => {
    const { calls, parse } = counting();
    const cache = new ParseCache(parse, 2);
    await cache.parseSelect('a');
    await cache.parseSelect('b');
    await cache.parseSelect('a'); // a is now the most recent
    await cache.parseSelect('c'); // evicts b
    assert.equal(cache.size, 2);
    await cache.parseSelect('a');
    await cache.parseSelect('b');
    assert.deepEqual(calls, ['a', 'b', 'c', 'b']);
    const long = `SELECT ${'1 + '.repeat(2_000)}1`;
    await cache.parseSelect(long);
    await cache.parseSelect(long);
    assert.equal(calls.filter((sql) => sql === long).length, 2);
  });
});
