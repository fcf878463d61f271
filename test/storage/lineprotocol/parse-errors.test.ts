import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseError, parseLineProtocol } from './helpers.ts';

describe('line errors', () => {
  test('missing measurement', () => {
    assert.equal(parseError(',host=a v=1'), 'measurement is empty');
    assert.equal(parseError('  ,host=a v=1'), 'measurement is empty');
  });

  test('no fields', () => {
    for (const line of ['cpu', 'cpu ', 'cpu,host=a', 'cpu,host=a   ', 'cpu\\ ']) {
      assert.match(parseError(line), /^no fields/, line);
    }
  });

  test('a tag without =', () => {
    assert.equal(parseError('cpu,host v=1'), "missing '=' after tag key 'host'");
    assert.equal(parseError('cpu,host,region=eu v=1'), "missing '=' after tag key 'host'");
    assert.equal(parseError('cpu,host'), "missing '=' after tag key 'host'");
  });

  test('an empty tag key', () => {
    assert.equal(parseError('cpu,=a v=1'), 'empty tag key (tag 1)');
    assert.equal(parseError('cpu, v=1'), 'empty tag key (tag 1)');
    assert.equal(parseError('cpu,host=a, v=1'), 'empty tag key (tag 2)');
    assert.equal(parseError('cpu,host=a,,b=c v=1'), 'empty tag key (tag 2)');
  });

  test('an empty tag value', () => {
    assert.equal(parseError('cpu,host= v=1'), "empty tag value for tag 'host'");
    assert.equal(parseError('cpu,host=,region=eu v=1'), "empty tag value for tag 'host'");
  });

  test('a field without a value', () => {
    assert.equal(parseError('cpu usage'), "missing field value for field 'usage'");
    assert.equal(parseError('cpu usage='), "missing field value for field 'usage'");
    assert.equal(parseError('cpu usage= 1'), "missing field value for field 'usage'");
    assert.equal(parseError('cpu a=1,usage,b=2'), "missing field value for field 'usage'");
    assert.equal(parseError('cpu a=1,usage=,b=2'), "missing field value for field 'usage'");
  });

  test('an empty field key', () => {
    assert.equal(parseError('cpu =1'), 'empty field key (field 1)');
    assert.equal(parseError('cpu a=1,'), 'empty field key (field 2)');
    assert.equal(parseError('cpu a=1,,b=2'), 'empty field key (field 2)');
    assert.equal(parseError('cpu a=1, b=2'), 'empty field key (field 2)');
  });

  test('bad numbers name the value and the field', () => {
    assert.equal(parseError('m x=12.5i'), "invalid integer '12.5i' for field 'x'");
    assert.equal(parseError('m x=1.2.3'), "invalid number '1.2.3' for field 'x'");
    assert.equal(parseError('m x=abc'), "invalid field value 'abc' for field 'x' (strings must be double-quoted)");
  });

  test('unterminated strings', () => {
    assert.equal(parseError('m s="abc'), "unterminated string for field 's'");
    assert.equal(parseError('m s="abc 123'), "unterminated string for field 's'");
    assert.equal(parseError('m s="'), "unterminated string for field 's'");
    assert.equal(parseError('m s="a\\"'), "unterminated string for field 's'");
    const body = 'm s="line one\nline two" 1';
    const { errors } = parseLineProtocol(body, 'ns');
    assert.deepEqual(
      errors.map((e) => [e.lineNumber, e.message]),
      [
        [1, "unterminated string for field 's'"],
        [2, `missing field value for field 'two"'`],
      ],
    );
  });

  test('text right after a closing quote', () => {
    assert.equal(parseError('m s="a"b'), "unexpected 'b' after the string value of field 's'");
    assert.equal(parseError('m s="a""b"'), "unexpected '\"' after the string value of field 's'");
  });

  test('duplicate tag keys', () => {
    assert.equal(parseError('cpu,host=a,host=b v=1'), "duplicate tag key 'host'");
    assert.equal(parseError('cpu,host=a,region=x,host=a v=1'), "duplicate tag key 'host'");
  });

  test('duplicate field keys', () => {
    assert.equal(parseError('cpu v=1,v=2'), "duplicate field key 'v'");
    assert.equal(parseError('cpu v=1,w=2,v="x"'), "duplicate field key 'v'");
  });

  test('keys that differ only by escaping are the same key', () => {
    assert.equal(parseError('cpu,a\\ b=1,a\\ b=2 v=1'), "duplicate tag key 'a b'");
    assert.equal(parseError('cpu x\\=y=1,x\\=y=2'), "duplicate field key 'x=y'");
  });

  test('time is reserved as a tag key and as a field key', () => {
    assert.equal(parseError('cpu,time=a v=1'), "tag key 'time' is reserved for the timestamp");
    assert.equal(parseError('cpu time=1'), "field key 'time' is reserved for the timestamp");
    assert.equal(parseError('cpu v=1,time=2i 5'), "field key 'time' is reserved for the timestamp");
  });

  test('a key used as both a tag and a field', () => {
    assert.equal(parseError('cpu,host=a host="a"'), "key 'host' is used as both a tag and a field");
    assert.equal(parseError('cpu,host=a,region=b v=1,region=2'), "key 'region' is used as both a tag and a field");
  });

  test('garbage after the timestamp', () => {
    assert.equal(parseError('cpu v=1 1 2'), "unexpected text after the timestamp: '2'");
  });

  test('messages clip very long names', () => {
    const key = 'k'.repeat(500);
    const message = parseError(`cpu ${key}=oops`);
    assert.ok(message.length < 250, message);
    assert.match(message, /^invalid field value 'oops' for field 'k{64}…'/);
  });

  test('errors do not stop the next lines from parsing', () => {
    const { points, errors } = parseLineProtocol('cpu,host=a,host=b v=1\ncpu,host=a v=1\ncpu v=1,v=2\ncpu v=2', 'ns');
    assert.deepEqual(
      points.map((p) => p.lineNumber),
      [2, 4],
    );
    assert.deepEqual(
      errors.map((e) => e.lineNumber),
      [1, 3],
    );
  });
});
