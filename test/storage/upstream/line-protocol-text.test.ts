import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import { lineProtocolText } from '../../../src/storage/upstream/line-protocol-text.ts';

const points = (text: string) => {
  const parsed = parseLineProtocolBuffer(Buffer.from(text), 'ns');
  assert.deepEqual(parsed.errors, []);
  return parsed.toParsedLines();
};

test('points forwarded upstream read back as the same points: escapes, every field type, default times', () => {
  const original = [
    'we\\ ather\\,x,zo\\=ne=a\\ b\\,c,k=v\\\\ te\\=mp=1.5,s="q\\"uote \\\\ back",i=-9223372036854775808i 1',
    'm,t=x u=18446744073709551615u,b=true,f=1e300,g=-0.1,h=3',
    'm b=false',
  ].join('\n');
  const before = points(original);
  const forwarded = lineProtocolText(before, 42n);
  const after = points(forwarded);
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    const expected = { ...before[i]!.point, timestampNs: before[i]!.point.timestampNs ?? 42n };
    assert.deepEqual(after[i]!.point, expected, forwarded.split('\n')[i]);
  }
  assert.equal(forwarded.split('\n')[2], 'm b=false 42');
});
