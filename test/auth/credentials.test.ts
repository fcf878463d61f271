import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractCredential } from '../../src/auth/credentials.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

test('Bearer, Token and Basic carry the token; the scheme is case-insensitive', () => {
  assert.deepEqual(extractCredential('Bearer abc'), { kind: 'token', token: 'abc', carrier: 'bearer' });
  assert.deepEqual(extractCredential('bearer abc'), { kind: 'token', token: 'abc', carrier: 'bearer' });
  assert.deepEqual(extractCredential('Token abc'), { kind: 'token', token: 'abc', carrier: 'token' });
  assert.deepEqual(extractCredential(basic('telegraf:abc')), { kind: 'token', token: 'abc', carrier: 'basic' });
  assert.deepEqual(extractCredential(basic(':abc')), { kind: 'token', token: 'abc', carrier: 'basic' });
});

test('?p= wins over the header when given; absent everything is none', () => {
  assert.deepEqual(extractCredential('Bearer header', 'query'), { kind: 'token', token: 'query', carrier: 'query' });
  assert.deepEqual(extractCredential(undefined, ''), { kind: 'none' });
  assert.deepEqual(extractCredential(undefined), { kind: 'none' });
  assert.deepEqual(extractCredential(''), { kind: 'none' });
});

test('malformed headers are named, never guessed', () => {
  for (const header of [
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Foo abc',
    'Basic !!!',
    basic('no-colon'),
    basic('a:b:c'),
    basic('user:'),
  ]) {
    const credential = extractCredential(header);
    assert.equal(credential.kind, 'malformed', header);
  }
});
