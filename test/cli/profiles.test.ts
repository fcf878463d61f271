/**
 * Connection profiles: config.toml with influxctl's [[profile]] keys, its per-OS place, the order in
 * which flags, the environment and the profile win, and its errors (key and line named).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveConnection } from '../../src/cli/connection.ts';
import { defaultConfigPath, readProfileFile } from '../../src/cli/profiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'fluxgate-profiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(text: string): string {
  const path = join(dir, `config-${files++}.toml`);
  writeFileSync(path, text);
  return path;
}

/** The exact message a bad file is refused with. */
function refusal(text: string): string {
  const path = configFile(text);
  try {
    readProfileFile(path);
  } catch (error) {
    return (error as Error).message.replace(path, 'FILE');
  }
  assert.fail(`a file with this content was accepted:\n${text}`);
}

const INFLUXCTL_FILE = `
[[profile]]
  name = "default"
  product = "clustered"
  host = "cluster.example.com"
  port = "8443"
  database = "sensors"
  token = "fgd_data"
  mgmt_token = "fgm_manage"
  [profile.tls]
    insecure = false
    disable = false
  [profile.auth.oauth2]
    client_id = "fluxgate-cli"
    scopes = ["openid", "offline_access"]
    parameters = { audience = "fluxgate" }
    token_url = "https://idp.example.com/token"
    device_url = "https://idp.example.com/device"

[[profile]]
  name = "local"
  host = "http://127.0.0.1:8181"
  mgmt_token = "fgm_local"
  account_id = "11111111-1111-4111-8111-111111111111"
  cluster_id = "33333333-3333-4333-8333-333333333333"

[[profile]]
  name = "plain"
  host = "10.0.0.5"
  port = 8181
  [profile.tls]
    disable = true
`;

describe('config.toml', () => {
  test('lives at the per-OS place: XDG on Linux, Application Support on macOS, APPDATA on Windows', () => {
    assert.equal(defaultConfigPath({ HOME: '/home/u' }, 'linux'), '/home/u/.config/fluxgate/config.toml');
    assert.equal(defaultConfigPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' }, 'linux'), '/xdg/fluxgate/config.toml');
    assert.equal(
      defaultConfigPath({ HOME: '/Users/u' }, 'darwin'),
      '/Users/u/Library/Application Support/fluxgate/config.toml',
    );
    assert.equal(
      defaultConfigPath({ HOME: 'C:/Users/u', APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32'),
      join('C:/Users/u/AppData/Roaming', 'fluxgate', 'config.toml'),
    );
  });

  test("reads influxctl's keys, [profile.tls] and [profile.auth.oauth2]", () => {
    const { profiles } = readProfileFile(configFile(INFLUXCTL_FILE));
    assert.deepEqual(
      profiles.map((p) => p.name),
      ['default', 'local', 'plain'],
    );
    const [main, , plain] = profiles;
    assert.equal(main?.mgmt_token, 'fgm_manage');
    assert.deepEqual({ ...main?.tls }, { insecure: false, disable: false });
    assert.deepEqual([...(main?.auth?.oauth2?.scopes ?? [])], ['openid', 'offline_access']);
    assert.deepEqual({ ...main?.auth?.oauth2?.parameters }, { audience: 'fluxgate' });
    assert.equal(plain?.port, '8181', 'a numeric port is taken as influxctl writes it, a string');
  });

  test('an unknown key, a wrong type, a duplicate name or malformed TOML names the key and the line', () => {
    assert.equal(refusal('[[profile]]\nname = "a"\nhots = "x"\n'), "FILE line 3: unknown key 'hots' in [[profile]]");
    assert.equal(
      refusal('[[profile]]\nname = "a"\n\n[[profile]]\nname = "b"\n[profile.tls]\ninsecure = "yes"\n'),
      "FILE line 7: 'tls.insecure' must be true or false",
    );
    assert.equal(
      refusal('[[profile]]\nname = "a"\n[profile.tls]\nverify = true\n'),
      "FILE line 4: unknown key 'tls.verify' in [[profile]]",
    );
    assert.equal(
      refusal('[[profile]]\nname = "a"\n[profile.auth.oauth2]\nclient_secret = "s"\n'),
      "FILE line 4: unknown key 'auth.oauth2.client_secret' in [[profile]]",
      'client_secret was removed from influxctl in 2.9.8',
    );
    assert.equal(
      refusal('[[profile]]\nname = "a"\nport = true\n'),
      "FILE line 3: 'port' must be a string or a whole number",
    );
    assert.equal(
      refusal('[[profile]]\nname = "a"\ntls.insecure = 1\n'),
      "FILE line 3: 'tls.insecure' must be true or false",
    );
    assert.equal(refusal('[[profile]]\nname = "a"\nhost = \n'), 'FILE line 3: invalid value');
    assert.equal(refusal('host = "x"\n'), "FILE line 1: unknown key 'host' (expected [[profile]])");
    assert.equal(
      refusal('[[profile]]\nname = "a"\n[[profile]]\nname = "a"\n'),
      "FILE line 4: a second profile named 'a'",
    );
  });
});

describe('which host and token a command uses', () => {
  const config = configFile(INFLUXCTL_FILE);
  const resolve = (options: Record<string, string>, use: 'management' | 'data', env: Record<string, string> = {}) =>
    resolveConnection({ config, ...options }, use, env);

  test('the profile: mgmt_token for management commands, token for write and query', () => {
    const manage = resolve({}, 'management');
    assert.equal(manage.host, 'https://cluster.example.com:8443', 'a bare host is https on its port');
    assert.equal(manage.token, 'fgm_manage');
    assert.equal(resolve({}, 'data').token, 'fgd_data');
    assert.equal(resolve({}, 'data').database, 'sensors');
    assert.equal(resolve({ profile: 'plain' }, 'data').host, 'http://10.0.0.5:8181', '[profile.tls] disable is http');
    assert.equal(resolve({ profile: 'local' }, 'management').host, 'http://127.0.0.1:8181', 'a URL is kept');
  });

  test('--token beats the environment, which beats the profile; the same for the host', () => {
    const env = { FLUXGATE_TOKEN: 'from-env', FLUXGATE_HOST: 'http://env:1' };
    assert.equal(resolve({}, 'management', env).token, 'from-env');
    assert.equal(resolve({}, 'management', { INFLUXDB3_AUTH_TOKEN: 'influx-env' }).token, 'influx-env');
    assert.equal(resolve({ token: 'from-flag' }, 'management', env).token, 'from-flag');
    assert.equal(resolve({}, 'management', env).host, 'http://env:1');
    assert.equal(resolve({}, 'management', { INFLUXDB3_HOST_URL: 'http://influx-env:2' }).host, 'http://influx-env:2');
    assert.equal(resolve({ host: 'http://flag:3' }, 'management', env).host, 'http://flag:3');
    assert.equal(resolve({}, 'management', { FLUXGATE_TOKEN: '' }).token, 'fgm_manage', 'an empty variable is unset');
  });

  test('--profile beats FLUXGATE_PROFILE, which beats "default"; --account/--cluster beat the profile ids', () => {
    assert.equal(resolve({}, 'management', { FLUXGATE_PROFILE: 'local' }).token, 'fgm_local');
    assert.equal(resolve({ profile: 'default' }, 'management', { FLUXGATE_PROFILE: 'local' }).token, 'fgm_manage');
    const local = resolve({ profile: 'local' }, 'management');
    assert.equal(local.accountId, '11111111-1111-4111-8111-111111111111');
    assert.equal(resolve({ profile: 'local', cluster: 'c2' }, 'management').clusterId, 'c2');
  });

  test('an unknown profile, or a --config that does not exist, is an error that says what there is', () => {
    assert.throws(
      () => resolve({ profile: 'ci' }, 'management'),
      new RegExp(`^CliError: no profile named 'ci' in ${config} \\(it has default, local, plain\\)$`),
    );
    const missing = join(dir, 'missing.toml');
    assert.throws(
      () => resolveConnection({ config: missing }, 'management', {}),
      new RegExp(`^CliError: there is no config file at ${missing}$`),
    );
    assert.throws(
      () => resolveConnection({}, 'management', { HOME: dir, XDG_CONFIG_HOME: dir, FLUXGATE_PROFILE: 'ci' }),
      /no profile named 'ci': there is no config file at .*fluxgate\/config\.toml \(create one with init\)/,
    );
  });

  test('without a file, profile or variable: the default host and no token', () => {
    const none = resolveConnection({}, 'management', { HOME: dir, XDG_CONFIG_HOME: join(dir, 'nothing') });
    assert.equal(none.host, 'http://127.0.0.1:8181');
    assert.equal(none.token, undefined);
  });
});
