/** Shared checks for the end-to-end CLI suites: parsing what `create token` prints, failures, secrets. */
import assert from 'node:assert/strict';
import type { CliResult } from '../helpers/server-process.ts';

/** A successful run: exit 0 and nothing on stderr. Returns stdout. */
export function ok(result: CliResult, what: string): string {
  assert.equal(result.code, 0, `${what} should exit 0; stderr: ${result.stderr} stdout: ${result.stdout}`);
  assert.equal(result.stderr, '', `${what} should write nothing to stderr`);
  return result.stdout;
}

/**
 * A failed run: a non-zero exit code, nothing on stdout, and exactly one line on stderr that
 * starts with `Error:` and matches every pattern (the patterns name what is wrong).
 */
export function fails(result: CliResult, what: string, ...patterns: RegExp[]): string {
  assert.notEqual(result.code, 0, `${what} should exit non-zero; stdout: ${result.stdout}`);
  assert.notEqual(result.code, null, `${what} should exit, not die of a signal`);
  assert.equal(result.stdout, '', `${what} should print nothing on stdout`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `${what} should explain itself in one line on stderr, got:\n${result.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^Error: \S/, `${what}: stderr should be "Error: …", got: ${line}`);
  for (const pattern of patterns) assert.match(line, pattern, `${what}: stderr should match ${pattern}`);
  return line;
}

/** The secret from the text output of `create token` (and `admin recover`), checked for consistency. */
export function secretFromText(stdout: string): string {
  const token = /^Token: (\S+)$/m.exec(stdout)?.[1];
  assert.ok(token !== undefined, `no "Token:" line in:\n${stdout}`);
  assert.match(stdout, /^New token created successfully!$/m);
  assert.ok(
    stdout.includes(`HTTP Requests Header: Authorization: Bearer ${token}\n`),
    'the header line shows the same token',
  );
  assert.match(stdout, /^IMPORTANT: Store this token securely, as it will not be shown again\.$/m);
  return token;
}

export interface IssuedJson {
  id: number;
  name: string;
  kind: string;
  token: string;
  hint: string;
  permissions: string[];
  expiry: string | null;
  help_msg: string;
}

/** The secret and the rest from `create token --format json`. */
export function issuedFromJson(stdout: string): IssuedJson {
  const issued = JSON.parse(stdout) as IssuedJson;
  assert.equal(typeof issued.token, 'string');
  assert.equal(typeof issued.id, 'number');
  assert.ok(issued.token.startsWith(issued.hint.replace('…', '')), 'the hint is the start of the token');
  assert.ok(issued.help_msg.includes(`Authorization: Bearer ${issued.token}`));
  return issued;
}

/** No secret, nor any 16 characters of one beyond its public hint, appears in `text`. */
export function assertNoSecrets(text: string, secrets: Iterable<string>, what: string): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${what} contains a full secret`);
    assert.ok(!text.includes(secret.slice(8, 24)), `${what} contains part of a secret beyond its hint`);
  }
}

/** Asserts an ISO timestamp lies `ms` from now, give or take `slackMs`. */
export function assertExpiresIn(expiry: string | null | undefined, ms: number, slackMs = 120_000): void {
  assert.ok(typeof expiry === 'string', `expected an expiry, got ${String(expiry)}`);
  const at = Date.parse(expiry);
  assert.ok(Math.abs(at - (Date.now() + ms)) < slackMs, `expiry ${expiry} is not about ${ms} ms from now`);
}

/**
 * Runs the thunks at most `limit` at a time (every CLI call is a Node process that loads the whole
 * program: running dozens at once only thrashes a small machine) and returns results in order.
 */
export async function pool<T>(thunks: Array<() => Promise<T>>, limit = 2): Promise<T[]> {
  const results = new Array<T>(thunks.length);
  let next = 0;
  const worker = async () => {
    while (next < thunks.length) {
      const i = next++;
      results[i] = await thunks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, thunks.length) }, worker));
  return results;
}
