import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/server-process.ts';

const SECRET = 'apiv3_flagSecretThatMustNeverBeShown0123456789';

test('serve refuses an upstream URL with credentials in it without repeating them', async () => {
  const result = await runCli(['serve', '--storage', 'influxdb3', '--upstream-url', `http://user:${SECRET}@up:8181`]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /must not carry credentials/);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(SECRET));
});

test('serve --storage influxdb3 without a token says which flag or variable to give', async () => {
  const result = await runCli(['serve', '--storage', 'influxdb3', '--upstream-url', 'http://127.0.0.1:9'], {
    env: { FLUXGATE_UPSTREAM_TOKEN: '  ' },
  });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /--upstream-token-file or FLUXGATE_UPSTREAM_TOKEN/);
});

test('serve refuses a storage kind it does not know, listing the ones it does', async () => {
  const result = await runCli(['serve', '--storage', 'influxdb2']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /duckdb, influxdb3, influxdb1/);
});

test('serve --storage influxdb1 without a URL or a user says which flag or variable to give', async () => {
  const noUrl = await runCli(['serve', '--storage', 'influxdb1']);
  assert.notEqual(noUrl.code, 0);
  assert.match(noUrl.stderr, /--storage influxdb1 needs --upstream-url/);
  const noUser = await runCli(['serve', '--storage', 'influxdb1', '--upstream-url', 'http://127.0.0.1:9'], {
    env: { FLUXGATE_UPSTREAM_TOKEN: '' },
  });
  assert.notEqual(noUser.code, 0);
  assert.match(noUser.stderr, /--upstream-token-file \(username:password\) or FLUXGATE_UPSTREAM_TOKEN/);
});
