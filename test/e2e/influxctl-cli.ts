/** Shared setup of the end-to-end suites of the influxctl-shape CLI: a real server and its operator token. */
import assert from 'node:assert/strict';
import { ok } from '../cli/cli-assertions.ts';
import { type CliResult, runCli, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

export interface InfluxctlRun {
  server: ServerProcess;
  operator: string;
  /** Every secret the suite saw: none may show up in a listing, an error or the audit log. */
  secrets: Set<string>;
  /** `fluxgate ARGS` against the server with `token` (default: the operator token) as FLUXGATE_TOKEN. */
  cli(args: string[], token?: string): Promise<CliResult>;
  dispose(): Promise<void>;
}

export async function startInfluxctlRun(): Promise<InfluxctlRun> {
  const server = await startServerProcess();
  const bootstrap = ok(
    await runCli(['create', 'token', '--admin', '--format', 'json'], { env: { FLUXGATE_HOST: server.url } }),
    'bootstrap',
  );
  const operator = (JSON.parse(bootstrap) as { token: string }).token;
  const secrets = new Set([operator]);
  return {
    server,
    operator,
    secrets,
    cli: (args, token = operator) => runCli(args, { env: { FLUXGATE_HOST: server.url, FLUXGATE_TOKEN: token } }),
    dispose: () => server.dispose(),
  };
}

/** The secret of a `create`/`rotate` table output: alone on the last line, after the two warnings. */
export function secretOf(stdout: string, prefix: string): string {
  const lines = stdout.trimEnd().split('\n');
  const secret = lines.at(-1) ?? '';
  assert.ok(secret.startsWith(prefix), `the last line should be a ${prefix} secret, got:\n${stdout}`);
  assert.match(lines.at(-2) ?? '', /^warn /);
  assert.match(lines.at(-3) ?? '', /^warn /);
  return secret;
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
