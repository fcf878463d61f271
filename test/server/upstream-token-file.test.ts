import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { storageConfigFrom } from '../../src/cli/storage-flags.ts';
import { readUpstreamTokenFile } from '../../src/server/upstream-token-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-upstream-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'apiv3_upstreamSecretThatMustNeverBeShown0123456789';

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function refusal(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a refusal');
}

test('the token file holds the token alone (trailing newline ignored) or InfluxDB 3 admin token JSON', () => {
  assert.equal(readUpstreamTokenFile(file('plain', `${SECRET}\n`)), SECRET);
  const json = file('admin.json', JSON.stringify({ token: SECRET, name: '_admin', expiry_millis: null }));
  assert.equal(readUpstreamTokenFile(json), SECRET);
});

test('a bad token file is refused naming the file and never repeating its content', () => {
  const cases = [
    file('empty', '\n'),
    file('spaces', `${SECRET} ${SECRET}`),
    file('broken.json', `{"token": "${SECRET}"`),
    file('no-token.json', JSON.stringify({ name: SECRET })),
    join(dir, 'missing'),
  ];
  for (const path of cases) {
    const error = refusal(() => readUpstreamTokenFile(path));
    assert.equal((error as { code?: string }).code, 'INVALID_INPUT');
    assert.ok(error.message.includes(path), error.message);
    assert.ok(!error.message.includes(SECRET), `no secret in: ${error.message}`);
  }
});

test('--storage influxdb3 needs a URL and a token (file or FLUXGATE_UPSTREAM_TOKEN); duckdb takes neither', () => {
  const path = file('token', SECRET);
  assert.deepEqual(storageConfigFrom({}, {}).storage, { kind: 'duckdb' });
  assert.deepEqual(
    storageConfigFrom({ storage: 'influxdb3', upstreamUrl: 'http://up:8181', upstreamTokenFile: path }, {}).storage,
    { kind: 'influxdb3', url: 'http://up:8181', token: SECRET },
  );
  assert.deepEqual(
    storageConfigFrom({ storage: 'influxdb3', upstreamUrl: 'http://up:8181' }, { FLUXGATE_UPSTREAM_TOKEN: SECRET })
      .storage,
    { kind: 'influxdb3', url: 'http://up:8181', token: SECRET },
  );
  assert.match(refusal(() => storageConfigFrom({ storage: 'influxdb3' }, {})).message, /--upstream-url/);
  assert.match(
    refusal(() => storageConfigFrom({ storage: 'influxdb3', upstreamUrl: 'http://up:8181' }, {})).message,
    /--upstream-token-file or FLUXGATE_UPSTREAM_TOKEN/,
  );
  assert.match(
    refusal(() => storageConfigFrom({ upstreamUrl: 'http://up:8181' }, {})).message,
    /need --storage influxdb3 or influxdb1/,
  );
});

test('--storage influxdb1 reads username:password from the file or FLUXGATE_UPSTREAM_TOKEN, refusing without repeating it', () => {
  const password = 'pa:ss-word-never-shown-9f8e7d';
  const url = 'http://influx:8086';
  const credential = { username: 'gateway', password };
  assert.deepEqual(
    storageConfigFrom(
      { storage: 'influxdb1', upstreamUrl: url, upstreamTokenFile: file('v1', `gateway:${password}\n`) },
      {},
    ).storage,
    { kind: 'influxdb1', url, credential },
  );
  assert.deepEqual(
    storageConfigFrom({ storage: 'influxdb1', upstreamUrl: url }, { FLUXGATE_UPSTREAM_TOKEN: `gateway:${password}` })
      .storage,
    { kind: 'influxdb1', url, credential },
  );
  for (const bad of [password.replaceAll(':', ''), `:${password}`, 'gateway:', `gateway:${password}\nsecond:line`]) {
    const error = refusal(() =>
      storageConfigFrom({ storage: 'influxdb1', upstreamUrl: url, upstreamTokenFile: file('bad-v1', bad) }, {}),
    );
    assert.match(error.message, /username:password/);
    assert.ok(error.message.includes(join(dir, 'bad-v1')), error.message);
    assert.ok(!error.message.includes(password.slice(3)), `repeated the content: ${error.message}`);
  }
  assert.match(
    refusal(() => storageConfigFrom({ storage: 'influxdb1', upstreamUrl: url }, {})).message,
    /--upstream-token-file \(username:password\) or FLUXGATE_UPSTREAM_TOKEN/,
  );
  assert.match(
    refusal(() => storageConfigFrom({ storage: 'influxdb1' }, {})).message,
    /influxdb1 needs --upstream-url/,
  );
});
