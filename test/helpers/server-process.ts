import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
/**
 * The `fluxgate` command the tests start: `npm test` points FLUXGATE_TEST_CLI at the tsc-compiled
 * entry (dist/src/cli/main.js), which starts in a third of the CPU the sources through tsx take
 * (0.27 against 0.78 CPU-seconds). The README test and a few CLI tests run bin/fluxgate.js itself.
 */
export const CLI_ENTRY = process.env.FLUXGATE_TEST_CLI || join(REPO_ROOT, 'bin/fluxgate.js');
const BIN = CLI_ENTRY;
/** The flags the `fluxgate` command runs Node with: those of its `#!/usr/bin/env -S node …` line. */
export const NODE_FLAGS = nodeFlagsOf(join(REPO_ROOT, 'bin/fluxgate.js'));
const NO_CONFIG_HOME = join(tmpdir(), 'fluxgate-tests-have-no-config');

export interface ServerProcess {
  url: string;
  /** The server's process id (for SIGSTOP/SIGCONT in the tests that pause a node). */
  pid: number | undefined;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The recovery listener's address, when started with one. */
  recoveryUrl: string | undefined;
  /** SIGTERM and wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no chance to flush. */
  kill(): Promise<void>;
  /** stop() and remove the data directory (unless it was given). */
  dispose(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Extra flags for node itself (`--cpu-prof`, for a bench that profiles the server). */
  nodeArgs?: string[];
}

/** Starts `fluxgate serve` as a real process on a free loopback port and waits until it listens. */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fluxgate-test-'));
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      ...(options.nodeArgs ?? []),
      BIN,
      'serve',
      '--data-dir',
      dataDir,
      '--http-bind',
      '127.0.0.1:0',
      '--log-level',
      'info',
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { url, recoveryUrl } = await waitForListening(child, () => output, exited);
  let stopped: Promise<number | null> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    })();
    return stopped;
  };
  return {
    url,
    pid: child.pid,
    dataDir,
    recoveryUrl,
    output: () => output,
    stop,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    dispose: async () => {
      await stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForListening(
  child: ChildProcess,
  output: () => string,
  exited: Promise<number | null>,
): Promise<{ url: string; recoveryUrl: string | undefined }> {
  const deadline = Date.now() + 30_000;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    for (const line of output().split('\n')) {
      if (!line.includes('"fluxgate listening"')) continue;
      const url = (JSON.parse(line) as { address: string }).address;
      const recovery = output()
        .split('\n')
        .find((l) => l.includes('recovery listener is open'));
      return { url, recoveryUrl: recovery ? (JSON.parse(recovery) as { address: string }).address : undefined };
    }
    if (exitCode !== undefined)
      throw new Error(`fluxgate serve exited with ${exitCode} before listening:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`fluxgate serve did not start within 30 s:\n${output()}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `fluxgate` command as a user would, with a clean environment of our choosing. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // A developer's own ~/.config/fluxgate/config.toml must not lend its tokens to a test.
      XDG_CONFIG_HOME: NO_CONFIG_HOME,
      ...options.env,
    };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c) => {
      stderr += c.toString();
    });
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function nodeFlagsOf(script: string): string[] {
  const shebang = readFileSync(script, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(shebang);
  if (match === null) throw new Error(`${script} does not start with '#!/usr/bin/env -S node …': ${shebang}`);
  return match[1]!
    .trim()
    .split(' ')
    .filter((flag) => flag !== '');
}
