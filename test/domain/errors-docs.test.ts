import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCodes } from '../../src/domain/errors.ts';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [String(m[1]), Number(m[2])]),
);

test('every error code is documented in docs/errors.md with its status', () => {
  for (const [code, { status }] of Object.entries(errorCodes)) {
    assert.equal(documented.get(code), status, `docs/errors.md lacks ${code} (${status})`);
  }
});

test('docs/errors.md lists no code that does not exist', () => {
  for (const code of documented.keys()) assert.ok(code in errorCodes, `docs/errors.md lists unknown code ${code}`);
});
