import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';

/** Lines the fast parser declines (an escape) and lines it takes, interleaved. */
const LINES = [
  'm,h=a v=1,s="x\\"y" 1000',
  'm,h=a v=2 1000',
  'm,h=b v=3 2000',
  'm,h=b v=4,s="q\\"z" 2000',
  '# a comment',
  'm,h=a v=5 3000',
  'm,h\\ x=a v=6 3000',
  'm,h=a v=7 3000',
];

describe('rows of a parsed body', () => {
  test('stay in line order whichever parser read each line (a later point at one series and time wins)', () => {
    const batch = parseLineProtocolBuffer(Buffer.from(LINES.join('\n')), 'ns');
    assert.deepEqual(batch.errors, []);
    const lines = batch.toParsedLines();
    assert.deepEqual(
      lines.map((line) => line.lineNumber),
      [1, 2, 3, 4, 6, 7, 8],
    );
    const table = batch.tables[0]!;
    assert.deepEqual(Array.from(table.lineNumbers.subarray(0, table.rowCount)), [1, 2, 3, 4, 6, 7, 8]);
    assert.deepEqual(
      lines.map((line) => line.point.fields.find(([key]) => key === 'v')?.[1]),
      [1, 2, 3, 4, 5, 6, 7].map((value) => ({ type: 'float', value })),
    );
  });
});
