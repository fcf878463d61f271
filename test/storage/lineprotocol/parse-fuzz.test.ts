import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LineError, ParsedLine, Point, Precision } from '../../../src/storage/lineprotocol/types.ts';
import { seededRandom } from '../../helpers/seeded-random.ts';
import { parseLineProtocol } from './helpers.ts';

const INPUTS = 25_000;
const SEED = 0x5eed_f1a9;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const PRECISIONS: Precision[] = ['ns', 'us', 'ms', 's'];
const ALPHABET = [...'abcmxyz019 ,,==  \\\\""\t\r#.-+eEiuTtFf\n', 'é', '😀', '\ud800', '\u0000'];

const VALID_LINES = [
  'cpu,host=host12,region=eu usage_user=12.5,usage_system=4.5,count=42i 1732500000000000000',
  'weather,location=us-midwest temperature=82 1465839830100400200',
  'm\\ x,t\\,k=v\\=1 s="a \\"q\\" \\\\ b",b=t,u=5u,f=-1.5e-3 -5',
  'disk,path=/var/lib free=12u,used=9223372036854775807i,ok=FALSE,label="x,y=z" 1',
  '  mem,host=a   available=.5,pct=1e10   1700000000 ',
  'net,if=eth0 rx=0i,tx=-9223372036854775808i,rate=1.',
  'a=b,c\\ d=e\\ f g\\,h="" 0',
  'm,t0=a,t1=b,t2=c,t3=d,t4=e,t5=f,t6=g,t7=h,t8=i,t9=j,t10=k,t11=l,t12=m,t13=n,t14=o,t15=p,t16=q,t17=r v=1',
  `m s="${'long '.repeat(300)}" 5`,
  'm v="é😀\\x\\\\"',
];

const next = seededRandom(SEED);
const below = (n: number) => Math.floor(next() * n);
const pick = <T>(items: readonly T[]): T => items[below(items.length)]!;

function randomText(maxLength: number): string {
  let text = '';
  const length = below(maxLength + 1);
  for (let i = 0; i < length; i++) text += pick(ALPHABET);
  return text;
}

function mutate(line: string): string {
  let text = line;
  const mutations = 1 + below(4);
  for (let m = 0; m < mutations; m++) {
    const at = below(text.length + 1);
    switch (below(6)) {
      case 0:
        text = text.slice(0, at) + pick(ALPHABET) + text.slice(at + 1);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1);
        break;
      case 2:
        text = text.slice(0, at) + randomText(3) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at);
        break;
      case 4: {
        const from = below(text.length + 1);
        text = text.slice(0, at) + text.slice(from, from + below(10)) + text.slice(at);
        break;
      }
      default: {
        const code = text.charCodeAt(at);
        if (!Number.isNaN(code))
          text = text.slice(0, at) + String.fromCharCode(code ^ (1 << below(7))) + text.slice(at + 1);
      }
    }
  }
  return text;
}

function oneInput(): string {
  const kind = below(10);
  if (kind < 3) return randomText(80);
  if (kind < 8) return mutate(pick(VALID_LINES));
  const parts = Array.from({ length: 2 + below(5) }, () =>
    below(3) === 0 ? pick(VALID_LINES) : mutate(pick(VALID_LINES)),
  );
  return parts.join(below(2) === 0 ? '\n' : '\r\n');
}

function isSkipped(line: string): boolean {
  const trimmed = line.replace(/^[ \t]+/, '');
  return trimmed.replace(/[ \t]+$/, '') === '' || trimmed.startsWith('#');
}

function assertValidPoint(point: Point): void {
  assert.ok(point.measurement.length > 0);
  assert.ok(point.fields.length > 0);
  const keys = [...point.tags.map(([key]) => key), ...point.fields.map(([key]) => key)];
  assert.equal(new Set(keys).size, keys.length, 'keys are unique across tags and fields');
  assert.ok(!keys.includes('time'));
  assert.ok(keys.every((key) => key.length > 0));
  assert.ok(point.tags.every(([, value]) => value.length > 0));
  for (const [, field] of point.fields) {
    if (field.type === 'float') assert.ok(Number.isFinite(field.value));
    if (field.type === 'integer') assert.ok(field.value >= INT64_MIN && field.value <= INT64_MAX);
    if (field.type === 'uinteger') assert.ok(field.value >= 0n && field.value < 2n ** 64n);
  }
  if (point.timestampNs !== null) assert.ok(point.timestampNs >= INT64_MIN && point.timestampNs <= INT64_MAX);
}

function outcomeOf(line: string, precision: Precision): Point | string {
  const result = parseLineProtocol(line, precision);
  return result.points[0]?.point ?? result.errors[0]?.message ?? 'skipped';
}

test(`${INPUTS} random and mutated inputs never throw and account for every line exactly once`, () => {
  let points = 0;
  let errors = 0;
  for (let i = 0; i < INPUTS; i++) {
    const input = oneInput();
    const precision = pick(PRECISIONS);
    let result: { points: ParsedLine[]; errors: LineError[] };
    try {
      result = parseLineProtocol(input, precision);
    } catch (error) {
      assert.fail(`parseLineProtocol threw for ${JSON.stringify(input)}: ${String(error)}`);
    }
    const rawLines = input.split('\n');
    const lines = rawLines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    const expected = lines.flatMap((line, index) => (isSkipped(line) ? [] : [index + 1]));
    const seen = [...result.points.map((p) => p.lineNumber), ...result.errors.map((e) => e.lineNumber)];
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      expected,
      `lines accounted for in ${JSON.stringify(input)}`,
    );

    for (const error of result.errors) {
      const line = lines[error.lineNumber - 1]!;
      assert.ok(line.startsWith(error.originalLine) && error.originalLine.length <= 1000);
      assert.ok(error.message.length > 0 && !error.message.startsWith('internal'), error.message);
    }
    for (const { point } of result.points) assertValidPoint(point);

    // Parsing a line inside a body must give what parsing it alone gives (per-body caches are invisible).
    if (lines.length > 1) {
      for (const { lineNumber, point } of result.points) {
        assert.deepEqual(outcomeOf(rawLines[lineNumber - 1]!, precision), point);
      }
      for (const { lineNumber, message } of result.errors) {
        assert.equal(outcomeOf(rawLines[lineNumber - 1]!, precision), message);
      }
    }
    points += result.points.length;
    errors += result.errors.length;
  }
  // The mix must exercise both outcomes substantially.
  assert.ok(points > 5_000, `points: ${points}`);
  assert.ok(errors > 15_000, `errors: ${errors}`);
});
