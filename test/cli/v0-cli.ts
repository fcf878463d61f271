/**
 * Shared setup of the CLI suites that run against a recording server (test/helpers/recording-server.ts):
 * the v0 Management API's routes are being built in parallel, so these suites check the CLI's half of
 * the contract in docs/api.md ("Management API v0") — the requests it sends and what it prints for the
 * contract's example answers. The e2e suites check both halves against a real `fluxgate serve`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingServer } from '../helpers/recording-server.ts';
import { type CliResult, runCli } from '../helpers/server-process.ts';

/** The management token the `default` profile holds: every management request must carry it. */
export const MGMT = 'fgm_profileManagementTokenForTheRecordingServer0';
export const DATA = 'fgd_profileDatabaseTokenForTheRecordingServer00';
export const SECRET = 'fgm_TheOneSecretTheServerSendsOnCreateAndRotate0';

export interface V0Cli {
  server: RecordingServer;
  configHome: string;
  /** Runs `fluxgate ARGS` with the `default` profile pointing at the recording server. */
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  dispose(): Promise<void>;
}

export async function startV0Cli(profileExtra = ''): Promise<V0Cli> {
  const server = await new RecordingServer().start();
  const configHome = mkdtempSync(join(tmpdir(), 'fluxgate-v0-cli-'));
  mkdirSync(join(configHome, 'fluxgate'));
  writeFileSync(
    join(configHome, 'fluxgate', 'config.toml'),
    `[[profile]]\nname = "default"\nhost = "${server.url}"\nmgmt_token = "${MGMT}"\ntoken = "${DATA}"\n${profileExtra}`,
    { mode: 0o600 },
  );
  return {
    server,
    configHome,
    run: (args, env = {}) =>
      runCli(args, { env: { XDG_CONFIG_HOME: configHome, XDG_CACHE_HOME: join(configHome, 'cache'), ...env } }),
    dispose: async () => {
      await server.stop();
      rmSync(configHome, { recursive: true, force: true });
    },
  };
}

/** Exit 0, nothing on stderr, and every scripted reply used. Returns stdout. */
export function succeeded(cli: V0Cli, result: CliResult, what: string): string {
  assert.equal(result.code, 0, `${what} should exit 0; stderr: ${result.stderr}; stdout: ${result.stdout}`);
  assert.equal(result.stderr, '', `${what} should write nothing to stderr`);
  assert.equal(cli.server.unused, 0, `${what} should have sent every request the test expected`);
  return result.stdout;
}

/** A non-zero exit, and the last line of stderr `Error: …` matching every pattern. */
export function failed(result: CliResult, what: string, ...patterns: RegExp[]): string {
  assert.notEqual(result.code, 0, `${what} should exit non-zero; stdout: ${result.stdout}`);
  assert.notEqual(result.code, null, `${what} should exit, not die of a signal`);
  const last = result.stderr.trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^Error: \S/, `${what}: stderr should end with "Error: …", got: ${result.stderr}`);
  for (const pattern of patterns) assert.match(last, pattern, `${what}: ${last} should match ${pattern}`);
  return last;
}

/** The contract's `{code, message, fluxgateCode}` error body. */
export function v0Error(status: number, fluxgateCode: string, message: string, field?: string) {
  return {
    status,
    headers: { 'x-fluxgate-error': fluxgateCode },
    body: { code: status, message, fluxgateCode, ...(field === undefined ? {} : { field }) },
  };
}

export const IDS = {
  accountId: '11111111-1111-4111-8111-111111111111',
  clusterId: '33333333-3333-4333-8333-333333333333',
};
