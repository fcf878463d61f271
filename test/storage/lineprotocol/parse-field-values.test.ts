import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boolean, fieldOf, float, integer, parseError, string, uinteger } from './helpers.ts';

describe('field values', () => {
  test('floats in every accepted form', () => {
    const cases: Array<[string, number]> = [
      ['1', 1],
      ['0', 0],
      ['1.5', 1.5],
      ['-1.5e-3', -0.0015],
      ['.5', 0.5],
      ['-.5', -0.5],
      ['1.', 1],
      ['1E3', 1000],
      ['1e+3', 1000],
      ['2.5e-300', 2.5e-300],
      ['007.50', 7.5],
      ['1.7976931348623157e308', 1.7976931348623157e308],
      ['5e-324', 5e-324],
      ['1e-400', 0],
      ['123456789012345678901234567890', 1.2345678901234568e29],
      ['0.1', 0.1],
      ['0.30000000000000004', 0.30000000000000004],
      ['9007199254740993', 9007199254740992],
    ];
    for (const [text, value] of cases) assert.deepEqual(fieldOf(`m v=${text}`), float(value), text);
  });

  test('negative zero keeps its sign', () => {
    assert.ok(Object.is(fieldOf('m v=-0').value, -0));
    assert.ok(Object.is(fieldOf('m v=-0.0').value, -0));
  });

  test('rejects malformed floats, NaN, infinities and a leading +', () => {
    for (const text of ['+1', '1.2.3', '1e', '1e+', '-', '.', '-.', '1x', '0x10', '1_000', '--1', '1e5.5']) {
      const message = parseError(`m v=${text}`);
      assert.match(message, /^invalid number '.*' for field 'v'$/, `${text}: ${message}`);
    }
    for (const text of ['NaN', 'nan', 'Inf', 'inf', 'Infinity', '-Infinity']) {
      assert.match(parseError(`m v=${text}`), /invalid (field value|number) '.*' for field 'v'/, text);
    }
  });

  test('rejects floats beyond the float64 range', () => {
    assert.equal(parseError('m v=1e400'), "float '1e400' is out of the float64 range for field 'v'");
    assert.equal(parseError('m v=-2e308'), "float '-2e308' is out of the float64 range for field 'v'");
  });

  test('integers and their int64 boundaries', () => {
    assert.deepEqual(fieldOf('m v=0i'), integer(0n));
    assert.deepEqual(fieldOf('m v=-0i'), integer(0n));
    assert.deepEqual(fieldOf('m v=42i'), integer(42n));
    assert.deepEqual(fieldOf('m v=-42i'), integer(-42n));
    assert.deepEqual(fieldOf('m v=007i'), integer(7n));
    assert.deepEqual(fieldOf('m v=9007199254740993i'), integer(9007199254740993n));
    assert.deepEqual(fieldOf('m v=9223372036854775807i'), integer(9223372036854775807n));
    assert.deepEqual(fieldOf('m v=-9223372036854775808i'), integer(-9223372036854775808n));
    assert.deepEqual(fieldOf('m v=000000000000000000000000009223372036854775807i'), integer(9223372036854775807n));
  });

  test('rejects integers outside int64', () => {
    for (const text of [
      '9223372036854775808i',
      '-9223372036854775809i',
      '99999999999999999999999i',
      `${'9'.repeat(5000)}i`,
    ]) {
      assert.match(parseError(`m v=${text}`), /^integer '.*' is out of the int64 range for field 'v'$/, text);
    }
  });

  test('rejects malformed integers', () => {
    assert.equal(parseError('m x=12.5i'), "invalid integer '12.5i' for field 'x'");
    for (const text of ['1e3i', '+1i', '-i', '1ii', '1 i', '0x1i', '.5i']) {
      assert.match(parseError(`m v=${text}`), /invalid (integer|number|timestamp)/, text);
    }
  });

  test('unsigned integers and their uint64 boundaries', () => {
    assert.deepEqual(fieldOf('m v=0u'), uinteger(0n));
    assert.deepEqual(fieldOf('m v=18446744073709551615u'), uinteger(18446744073709551615n));
    assert.equal(
      parseError('m v=18446744073709551616u'),
      "unsigned integer '18446744073709551616u' is out of the uint64 range for field 'v'",
    );
    assert.equal(parseError('m v=-1u'), "invalid unsigned integer '-1u' for field 'v'");
    assert.equal(parseError('m v=1.5u'), "invalid unsigned integer '1.5u' for field 'v'");
  });

  test('every boolean spelling', () => {
    for (const text of ['t', 'T', 'true', 'True', 'TRUE'])
      assert.deepEqual(fieldOf(`m v=${text}`), boolean(true), text);
    for (const text of ['f', 'F', 'false', 'False', 'FALSE']) {
      assert.deepEqual(fieldOf(`m v=${text}`), boolean(false), text);
    }
  });

  test('rejects other words, naming the field and hinting at quotes', () => {
    for (const text of ['tRUE', 'yes', 'tru', 'falsey', 'on', 'abc', 'x1']) {
      assert.equal(
        parseError(`m v=${text}`),
        `invalid field value '${text}' for field 'v' (strings must be double-quoted)`,
        text,
      );
    }
  });

  test('strings, including empty ones', () => {
    assert.deepEqual(fieldOf('m v=""'), string(''));
    assert.deepEqual(fieldOf('m v="hello world"'), string('hello world'));
    assert.deepEqual(fieldOf('m v="x",w=1 3', 'w'), float(1));
  });

  test('strings up to 64 KiB (UTF-8) are accepted; longer ones are rejected', () => {
    const max = 'x'.repeat(64 * 1024);
    assert.deepEqual(fieldOf(`m v="${max}"`), string(max));
    assert.equal(parseError(`m v="${max}x"`), "string value of field 'v' is longer than 64 KiB");
    // 21,846 three-byte characters are 65,538 bytes.
    assert.equal(parseError(`m v="${'€'.repeat(21_846)}"`), "string value of field 'v' is longer than 64 KiB");
    assert.deepEqual(fieldOf(`m v="${'€'.repeat(21_845)}"`), string('€'.repeat(21_845)));
  });

  test('all five types in one line keep their order', () => {
    const point = fieldOf('m a=1,b=2i,c=3u,d="4",e=t', 'e');
    assert.deepEqual(point, boolean(true));
  });
});
