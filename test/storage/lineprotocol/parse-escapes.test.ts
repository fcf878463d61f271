import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { float, parseError, parseLineProtocol, parsePoint, string } from './helpers.ts';

describe('escapes', () => {
  test('measurement: \\, \\space and \\\\ are unescaped', () => {
    assert.equal(parsePoint('my\\ cpu\\,x v=1').measurement, 'my cpu,x');
    assert.equal(parsePoint('a\\\\b v=1').measurement, 'a\\b');
    assert.equal(parsePoint('a\\\\,t=x v=1').measurement, 'a\\');
    assert.deepEqual(parsePoint('a\\\\,t=x v=1').tags, [['t', 'x']]);
  });

  test('measurement: = is literal, escaped or not, and \\= keeps its backslash', () => {
    assert.equal(parsePoint('a=b v=1').measurement, 'a=b');
    assert.equal(parsePoint('a\\=b v=1').measurement, 'a\\=b');
  });

  test('measurement may start with an escaped space or comma', () => {
    assert.equal(parsePoint('\\ m v=1').measurement, ' m');
    assert.equal(parsePoint('\\,m v=1').measurement, ',m');
  });

  test('tag keys and values: \\, \\= \\space and \\\\ are unescaped', () => {
    const point = parsePoint('m,k\\ 1\\,\\=x=v\\ 1\\,\\=y,b\\\\=c\\\\ v=1');
    assert.deepEqual(point.tags, [
      ['k 1,=x', 'v 1,=y'],
      ['b\\', 'c\\'],
    ]);
  });

  test('tag values may contain a literal =', () => {
    assert.deepEqual(parsePoint('m,url=a=b=c v=1').tags, [['url', 'a=b=c']]);
  });

  test('field keys: \\, \\= \\space and \\\\ are unescaped', () => {
    assert.deepEqual(parsePoint('m f\\ 1\\,\\=x\\\\=1,g=2').fields, [
      ['f 1,=x\\', float(1)],
      ['g', float(2)],
    ]);
  });

  test('a backslash before any other character is kept literally, everywhere', () => {
    const point = parsePoint('m\\x,t\\a=v\\b f\\c="s\\d"');
    assert.equal(point.measurement, 'm\\x');
    assert.deepEqual(point.tags, [['t\\a', 'v\\b']]);
    assert.deepEqual(point.fields, [['f\\c', string('s\\d')]]);
    assert.equal(parsePoint('m\\"x v=1').measurement, 'm\\"x');
    assert.equal(parsePoint('m\\\tx v=1').measurement, 'm\\\tx');
  });

  test('escaped names are unescaped the same way on every line', () => {
    const body = 'a\\ b,t\\,k=v\\=1 f\\ x=1\na\\ b,t\\,k=v\\=1 f\\ x=2\na\\ b,t\\,k=v\\=1 f\\ x=3';
    const { points, errors } = parseLineProtocol(body, 'ns');
    assert.deepEqual(errors, []);
    for (const { point } of points) {
      assert.equal(point.measurement, 'a b');
      assert.deepEqual(point.tags, [['t,k', 'v=1']]);
      assert.equal(point.fields[0]![0], 'f x');
    }
  });

  test('a name ending in a backslash on one line does not swallow an escape on the next', () => {
    const body = ['a\\\\,k\\\\=x\\\\ f\\\\=1', 'a\\ b,k\\,y=x\\,z f\\ g=1', 'a\\\\,k\\\\=x\\\\ f\\\\=1'].join('\n');
    const { points, errors } = parseLineProtocol(body, 'ns');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      points.map(({ point }) => [point.measurement, point.tags, point.fields[0]![0]]),
      [
        ['a\\', [['k\\', 'x\\']], 'f\\'],
        ['a b', [['k,y', 'x,z']], 'f g'],
        ['a\\', [['k\\', 'x\\']], 'f\\'],
      ],
    );
  });

  test('an escaped name is not mistaken for the same text written unescaped', () => {
    const body = ['m,k=a\\\\ v=1', 'm,k=a\\,b v=1', 'm,k=a\\\\ v=1'].join('\n');
    const { points, errors } = parseLineProtocol(body, 'ns');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      points.map(({ point }) => point.tags),
      [[['k', 'a\\']], [['k', 'a,b']], [['k', 'a\\']]],
    );
  });

  test('the same raw text unescapes differently as a measurement and as a tag value', () => {
    const point = parsePoint('a\\=b,t=a\\=b v=1');
    assert.equal(point.measurement, 'a\\=b');
    assert.deepEqual(point.tags, [['t', 'a=b']]);
  });

  test('string values: \\" and \\\\ are unescaped, other backslashes kept', () => {
    assert.deepEqual(parsePoint('m s="say \\"hi\\""').fields, [['s', string('say "hi"')]]);
    assert.deepEqual(parsePoint('m s="a\\\\b"').fields, [['s', string('a\\b')]]);
    assert.deepEqual(parsePoint('m s="ends with \\\\"').fields, [['s', string('ends with \\')]]);
    assert.deepEqual(parsePoint('m s="\\n\\t\\x"').fields, [['s', string('\\n\\t\\x')]]);
    assert.deepEqual(parsePoint('m s="\\\\\\""').fields, [['s', string('\\"')]]);
  });

  test('string values may hold spaces, commas, equals signs and unicode', () => {
    assert.deepEqual(parsePoint('m s="a b,c=d é 😀",n=1 5').fields, [
      ['s', string('a b,c=d é 😀')],
      ['n', float(1)],
    ]);
  });

  test('an escaped quote does not end a string', () => {
    assert.equal(parseError('m s="abc\\"'), "unterminated string for field 's'");
  });
});
