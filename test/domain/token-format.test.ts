import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checksumOf,
  generateToken,
  hashToken,
  inspectToken,
  TOKEN_LENGTH,
  TOKEN_PREFIXES,
  type TokenKind,
  tokenHint,
} from '../../src/domain/token-format.ts';

const KINDS = Object.keys(TOKEN_PREFIXES) as TokenKind[];

describe('token format', () => {
  test('each kind has its own prefix, fixed length and a valid checksum', () => {
    for (const kind of KINDS) {
      const token = generateToken(kind);
      assert.ok(token.startsWith(TOKEN_PREFIXES[kind]));
      assert.equal(token.length, TOKEN_LENGTH);
      assert.match(token.slice(4), /^[0-9A-Za-z]+$/);
      assert.deepEqual(inspectToken(token), { valid: true, kind });
    }
  });

  test('bodies are random: no repeats and every base62 character appears', () => {
    const bodies = new Set<string>();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const token = generateToken('database');
      const body = token.slice(4, 47);
      bodies.add(body);
      for (const c of body) seen.add(c);
    }
    assert.equal(bodies.size, 2000);
    assert.equal(seen.size, 62);
  });

  test('any single changed character fails the checksum or the alphabet check', () => {
    const token = generateToken('admin');
    for (let i = 4; i < token.length; i++) {
      const replacement = token[i] === 'a' ? 'b' : 'a';
      const mutated = token.slice(0, i) + replacement + token.slice(i + 1);
      const shape = inspectToken(mutated);
      assert.equal(shape.valid, false, `position ${i}`);
    }
  });

  test('malformed strings name their defect', () => {
    const token = generateToken('database');
    assert.deepEqual(inspectToken('xyz_abc'), { valid: false, reason: 'unknown_prefix' });
    assert.deepEqual(inspectToken(token.slice(0, -1)), { valid: false, reason: 'bad_length' });
    assert.deepEqual(inspectToken(`${token.slice(0, 10)}!${token.slice(11)}`), {
      valid: false,
      reason: 'bad_characters',
    });
    const head = token.slice(0, 47);
    const wrong = checksumOf(`${head}x`);
    assert.deepEqual(inspectToken(head + (wrong === token.slice(47) ? '000000' : wrong)), {
      valid: false,
      reason: 'bad_checksum',
    });
  });

  test('InfluxDB 3 apiv3_ tokens are accepted as legacy, without a checksum', () => {
    const legacy = `apiv3_${Buffer.alloc(64, 7).toString('base64url')}`;
    assert.deepEqual(inspectToken(legacy), { valid: true, kind: 'legacy' });
    assert.deepEqual(inspectToken('apiv3_'), { valid: false, reason: 'bad_length' });
    assert.deepEqual(inspectToken('apiv3_abc def'), { valid: false, reason: 'bad_characters' });
  });

  test('hash is SHA-512 hex of the whole string (the InfluxDB 3 scheme)', () => {
    assert.match(hashToken('x'), /^[0-9a-f]{128}$/);
    assert.equal(
      hashToken('abc'),
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  test('the hint shows the prefix and four characters, never more', () => {
    const token = generateToken('operator');
    assert.equal(tokenHint(token), `${token.slice(0, 8)}…`);
    assert.equal(tokenHint(`apiv3_${'A'.repeat(86)}`), 'apiv3_AAAA…');
  });
});
