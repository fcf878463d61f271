import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pointLines } from '../../../src/storage/upstream/line-count.ts';

describe('pointLines (what a forwarding gateway reports as written)', () => {
  const count = (text: string) => pointLines(Buffer.from(text, 'utf8'));

  test('counts the lines that carry a point, with or without a final newline', () => {
    assert.equal(count('cpu v=1 1\ncpu v=2 2\n'), 2);
    assert.equal(count('cpu v=1 1\ncpu v=2 2'), 2);
    assert.equal(count('cpu v=1'), 1);
  });

  test('blank lines, whitespace-only lines and # comments carry none', () => {
    assert.equal(count(''), 0);
    assert.equal(count('\n\n  \t\r\n'), 0);
    assert.equal(count('# a comment\n   # indented comment\ncpu v=1 1\r\n\n'), 1);
  });

  test('a bad line still counts (the upstream refuses it by its number)', () => {
    assert.equal(count('cpu v=1 1\nnot line protocol\n'), 2);
  });
});
