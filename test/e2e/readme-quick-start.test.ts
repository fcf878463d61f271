/**
 * The README's Quick start, run literally line by line against a fresh server, as a new user would.
 * Two substitutions only, both explicit:
 *   - `npm ci && npm start` (install, then serve on 127.0.0.1:8181 in the foreground) becomes a
 *     `fluxgate serve` process of this test on a free port with its own data directory, and every
 *     later line gets FLUXGATE_HOST pointing at it (a user's default host is that server already);
 *   - `export NAME=…` sets NAME to the token the line before it printed (`Token: …`).
 * Every other line runs unchanged through `bash -c` in the repository, and must exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { call } from '../helpers/http.ts';
import { REPO_ROOT, type ServerProcess, startServerProcess } from '../helpers/server-process.ts';

const SERVER_START = 'npm ci && npm start';
/** A new user has no config.toml: neither does this run (nor may it read the developer's). */
const scratchConfig = join(tmpdir(), 'fluxgate-quick-start-config');
const EXPORT_PRINTED_TOKEN = /^export ([A-Z0-9_]+)=…(\s|$)/;

/** The command lines of the first ```sh block under "## Quick start" (comments are left to the shell). */
function quickStartLines(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Quick start\n'));
  assert.ok(section !== undefined, 'README.md has a "## Quick start" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, 'the Quick start has a ```sh block');
  return block.split('\n').filter((line) => line.trim() !== '');
}

function sh(
  line: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: scratchConfig, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c) => {
      stderr += c.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let server: ServerProcess | undefined;
after(async () => {
  await server?.dispose();
});

test('the README Quick start works as written, line by line, against a fresh server', async () => {
  const lines = quickStartLines();
  assert.ok(lines[0]?.startsWith(SERVER_START), `the Quick start begins with ${SERVER_START}`);
  const env: Record<string, string> = {};
  /** Every secret a line printed, in order. */
  const printed: string[] = [];
  let lastOutput = '';
  const transcript: string[] = [];
  for (const line of lines) {
    if (line.startsWith(SERVER_START)) {
      server = await startServerProcess();
      env.FLUXGATE_HOST = server.url;
      continue;
    }
    const exported = EXPORT_PRINTED_TOKEN.exec(line);
    if (exported !== null) {
      const token = /^Token: (\S+)$/m.exec(lastOutput)?.[1];
      assert.ok(token !== undefined, `"${line}" follows a line that printed a token; it printed:\n${lastOutput}`);
      env[exported[1]!] = token;
      continue;
    }
    const run = await sh(line, env);
    transcript.push(`$ ${line}\n${run.stdout}${run.stderr}`);
    assert.equal(run.code, 0, `this README line failed:\n${line}\n${run.stderr}${run.stdout}`);
    lastOutput = run.stdout;
    const secret = /^Token: (\S+)$/m.exec(run.stdout)?.[1];
    if (secret !== undefined) printed.push(secret);
  }
  const output = transcript.join('\n');

  // What the block's comments promise, checked from outside.
  assert.match(output, /^wrote 1 line to sensors$/m);
  assert.match(output, /^host,avg\(usage\)\na,0\.5$/m, 'the query prints the written point');
  const [firstOperator, , writer, newOperator] = printed;
  assert.equal(printed.length, 4, 'the block prints four tokens: _admin, ci, writer, and _admin again');
  assert.equal(env.FLUXGATE_TOKEN, newOperator, 'the last export takes the regenerated secret');
  const url = server!.url;
  const tokens = '/api/v3/configure/token';
  assert.equal((await call(url, 'GET', tokens, { token: firstOperator })).status, 401, 'the old operator secret died');
  assert.equal((await call(url, 'GET', tokens, { token: newOperator })).status, 200, 'the new one works');
  const revoked = await call(url, 'GET', '/api/v3/configure/database?format=json', { token: writer });
  assert.equal(revoked.status, 401, 'the deleted writer token gets 401');
  assert.match(transcript.at(-1) ?? '', /writer.*revoked/, 'the last listing shows writer revoked');
});
