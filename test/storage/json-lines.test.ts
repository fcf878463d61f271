import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { firstLines, lineCount, MAX_LINE_BYTES, WholeLines } from '../../src/storage/json-lines.ts';

/** Everything a WholeLines gives for `pieces`, pushed in order and ended. */
function cutInto(pieces: Buffer[]): Buffer[] {
  const lines = new WholeLines();
  const runs: Buffer[] = [];
  for (const piece of pieces) {
    const run = lines.push(piece);
    if (run !== undefined) runs.push(run);
  }
  const rest = lines.end();
  if (rest !== undefined) runs.push(rest);
  return runs;
}

const jsonLine = fc.jsonValue().map((value) => JSON.stringify(value));

it('gives back the lines however the bytes are cut, each run whole, blank lines left out', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof({ weight: 5, arbitrary: jsonLine }, fc.constant('')), { maxLength: 20 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 30 }),
      (lines, lastNewline, cuts) => {
        let text = lines.join('\n');
        if (lastNewline && text !== '') text += '\n';
        const bytes = Buffer.from(text, 'utf8');
        // Cut anywhere, in the middle of a multi-byte character too.
        const pieces: Buffer[] = [];
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(bytes.length, at + (cut % 17));
          pieces.push(bytes.subarray(at, end));
          at = end;
        }
        pieces.push(bytes.subarray(at));
        const runs = cutInto(pieces);
        for (const run of runs) assert.equal(run.at(-1), 0x0a);
        const expected = lines.filter((line) => line !== '');
        const got = Buffer.concat(runs).toString('utf8');
        assert.equal(got, expected.map((line) => `${line}\n`).join(''));
        assert.equal(
          runs.reduce((sum, run) => sum + lineCount(run), 0),
          expected.length,
        );
      },
    ),
    { numRuns: 1000 },
  );
});

it('holds nothing but a line that is still arriving, and refuses one longer than its bound', () => {
  const lines = new WholeLines();
  assert.equal(lines.push(Buffer.from('{"a":')), undefined);
  assert.equal(lines.push(Buffer.from('1}\n{"b"'))?.toString(), '{"a":1}\n');
  assert.equal(lines.end()?.toString(), '{"b"\n');
  assert.equal(lines.end(), undefined);
  const long = new WholeLines();
  const piece = Buffer.alloc(1024 * 1024, 0x61);
  assert.throws(() => {
    for (let i = 0; i <= MAX_LINE_BYTES / piece.length; i++) long.push(piece);
  }, /longer than/);
});

it('counts the lines of a run and cuts it after the first n', () => {
  const run = Buffer.from('{"a":1}\n{"a":2}\n{"a":3}\n');
  assert.equal(lineCount(run), 3);
  assert.equal(firstLines(run, 0).toString(), '');
  assert.equal(firstLines(run, 2).toString(), '{"a":1}\n{"a":2}\n');
  assert.equal(firstLines(run, 3).toString(), run.toString());
  assert.equal(firstLines(run, 9).toString(), run.toString());
});
