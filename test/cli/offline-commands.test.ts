/**
 * The commands that need no server: `token inspect` (format and checksum, never the secret) and
 * `create token --admin --offline` (a token file for `serve --admin-token-file`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateToken, inspectToken, type TokenKind } from '../../src/domain/token-format.ts';
import { runCli } from '../helpers/server-process.ts';
import { assertExpiresIn, assertNoSecrets, fails, ok, pool } from './cli-assertions.ts';

const DAY = 86_400_000;

/** The same string with one body character changed (still base62, so only the checksum can catch it). */
function corrupt(token: string): string {
  const i = 10;
  const c = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + c + token.slice(i + 1);
}

describe('fluxgate token inspect (offline)', () => {
  // The kinds the CLI hands out (the unit tests cover every prefix).
  const kinds: TokenKind[] = ['operator', 'admin', 'database'];
  const tokens = kinds.map((kind) => generateToken(kind));
  const legacy = `apiv3_${'Ab0-_'.repeat(10)}`;

  const SERVER_ONLY = 'whether the server knows it, or it was revoked or has expired, only the server can tell';

  test('well-formed strings: kind, checksum and what an offline look cannot tell; only the hint of the secret', async () => {
    const runs = await pool([
      ...tokens.map((token) => () => runCli(['token', 'inspect', token])),
      () => runCli(['token', 'inspect', legacy]),
      () => runCli(['token', 'inspect', tokens[0]!, '--format', 'json']),
      () => runCli(['token', 'inspect', legacy, '--format', 'json']),
    ]);
    tokens.forEach((token, i) => {
      const stdout = ok(runs[i]!, `inspect ${kinds[i]}`);
      assert.equal(
        stdout,
        `well-formed: yes\nkind: ${kinds[i]}\nchecksum: correct\nhint: ${token.slice(0, 8)}…\n` +
          `note: the checksum shows the string is not mistyped; ${SERVER_ONLY}\n`,
        `inspect of a ${kinds[i]} token`,
      );
      assertNoSecrets(stdout, [token], `inspect ${kinds[i]}`);
    });
    // An apiv3_ string has no checksum: inspect must not call it valid, only well-formed, and say why.
    const legacyOut = ok(runs[kinds.length]!, 'inspect legacy');
    assert.doesNotMatch(legacyOut, /valid/);
    assert.match(legacyOut, /^well-formed: yes$/m);
    assert.match(legacyOut, /^kind: legacy$/m);
    assert.match(legacyOut, /^checksum: none$/m);
    assert.match(
      legacyOut,
      /^note: apiv3_ strings \(InfluxDB 3\) have no checksum, so a mistyped one looks like a real one;/m,
    );
    assert.ok(!legacyOut.includes(legacy), 'the legacy secret is not printed');
    const json = JSON.parse(ok(runs[kinds.length + 1]!, 'inspect --format json')) as Record<string, unknown>;
    assert.deepEqual(json, {
      well_formed: true,
      kind: 'operator',
      checksum: 'correct',
      hint: `${tokens[0]!.slice(0, 8)}…`,
      note: `the checksum shows the string is not mistyped; ${SERVER_ONLY}`,
    });
    const legacyJson = JSON.parse(ok(runs[kinds.length + 2]!, 'inspect legacy --format json')) as Record<
      string,
      unknown
    >;
    assert.equal(legacyJson.checksum, 'none');
    assert.equal(legacyJson.kind, 'legacy');
  });

  test("corrupted strings: exit 1 with the reason, and never the string itself; '-' reads stdin", async () => {
    const operator = tokens[0]!;
    const bad = corrupt(operator);
    assert.equal(inspectToken(bad).valid, false, 'the corruption is one the checksum catches');
    const cases: Array<[string, string[], string | undefined, string, string]> = [
      [
        'a changed character',
        ['token', 'inspect', bad],
        undefined,
        'bad_checksum',
        'its checksum does not match: a character was changed, added or lost',
      ],
      [
        'a character outside base62',
        ['token', 'inspect', `${operator.slice(0, 20)}!${operator.slice(21)}`],
        undefined,
        'bad_characters',
        'it holds a character that no token of its kind contains',
      ],
      [
        'a corrupted string on stdin',
        ['token', 'inspect', '-'],
        `${bad}\n`,
        'bad_checksum',
        'its checksum does not match: a character was changed, added or lost',
      ],
      [
        'an unknown prefix',
        ['token', 'inspect', 'sk_live_abc'],
        undefined,
        'unknown_prefix',
        'it does not start with fgo_, fga_, fgm_, fgd_ or apiv3_',
      ],
    ];
    const runs = await pool([
      ...cases.map(
        ([, args, input]) =>
          () =>
            runCli(args, { input }),
      ),
      () => runCli(['token', 'inspect', '-'], { input: `${operator}\n` }),
      () => runCli(['token', 'inspect', bad, '--format', 'json']),
    ]);
    cases.forEach(([what, , , reason, why], i) => {
      const run = runs[i]!;
      assert.equal(run.code, 1, `${what}: exit code 1`);
      assert.equal(run.stdout, `well-formed: no\nreason: ${reason}\nwhy: ${why}\n`, what);
      assertNoSecrets(run.stdout + run.stderr, [operator, bad], what);
    });
    const fromStdin = ok(runs[cases.length]!, "inspect '-'");
    assert.match(fromStdin, /^well-formed: yes\nkind: operator\nchecksum: correct\n/);
    const json = runs[cases.length + 1]!;
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      well_formed: false,
      reason: 'bad_checksum',
      why: 'its checksum does not match: a character was changed, added or lost',
    });
  });
});

describe('fluxgate create token --admin --offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxgate-cli-offline-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes {token, name} with mode 0600 and prints only the hint; refuses to overwrite', async () => {
    const file = join(dir, 'admin-token.json');
    const stdout = ok(await runCli(['create', 'token', '--admin', '--offline', '--output-file', file]), 'offline');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the token file is private to its owner');
    const written = readFileSync(file, 'utf8');
    const content = JSON.parse(written) as Record<string, unknown>;
    assert.deepEqual(Object.keys(content).sort(), ['name', 'token']);
    assert.equal(content.name, '_admin');
    const token = content.token as string;
    assert.deepEqual(inspectToken(token), { valid: true, kind: 'operator' });
    assert.equal(stdout, `Token _admin (${token.slice(0, 8)}…) written to ${file}\n`);
    assertNoSecrets(stdout, [token], 'the offline summary');

    const again = await runCli(['create', 'token', '--admin', '--offline', '--output-file', file]);
    fails(
      again,
      'overwriting a token file',
      /already exists/,
      new RegExp(file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')),
    );
    assert.equal(readFileSync(file, 'utf8'), written, 'the existing file is untouched');
  });

  test('--name and --expiry go into the file as name and expiry_millis; --format json prints a summary', async () => {
    const file = join(dir, 'ops-token.json');
    const stdout = ok(
      await runCli([
        'create',
        'token',
        '--admin',
        '--offline',
        '--output-file',
        file,
        '--name',
        'ops',
        '--expiry',
        '1d',
        '--format',
        'json',
      ]),
      'offline --name ops --expiry 1d',
    );
    const content = JSON.parse(readFileSync(file, 'utf8')) as { token: string; name: string; expiry_millis: number };
    assert.deepEqual(Object.keys(content).sort(), ['expiry_millis', 'name', 'token']);
    assert.equal(content.name, 'ops');
    assert.deepEqual(inspectToken(content.token), { valid: true, kind: 'admin' });
    assertExpiresIn(new Date(content.expiry_millis).toISOString(), DAY);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(stdout), { name: 'ops', hint: `${content.token.slice(0, 8)}…`, file });

    const at = new Date(Date.now() + 30 * DAY).toISOString();
    const dated = join(dir, 'dated-token.json');
    ok(
      await runCli([
        'create',
        'token',
        '--admin',
        '--offline',
        '--output-file',
        dated,
        '--name',
        'dated',
        '--expiry',
        at,
      ]),
      'offline --expiry RFC3339',
    );
    const datedContent = JSON.parse(readFileSync(dated, 'utf8')) as { expiry_millis: number };
    assert.equal(datedContent.expiry_millis, Date.parse(at), '--expiry also takes an absolute RFC3339 time');
  });

  test('usage errors exit non-zero and the first line on stderr names the problem', async () => {
    const [badFormat, missingName] = await pool([
      () =>
        runCli(['create', 'token', '--admin', '--offline', '--output-file', join(dir, 'f.json'), '--format', 'xml']),
      () => runCli(['delete', 'token', '--yes']),
    ]);
    for (const [run, pattern] of [
      [badFormat!, /^error: option '--format <format>' argument 'xml' is invalid/],
      [missingName!, /^error: required option '--token-name <name>' not specified/],
    ] as const) {
      assert.notEqual(run.code, 0);
      assert.equal(run.stdout, '');
      assert.match(run.stderr.split('\n')[0] ?? '', pattern);
    }
    assert.throws(() => statSync(join(dir, 'f.json')), /ENOENT/);
  });

  test('offline misuse fails with one line and writes nothing', async () => {
    const preexisting = join(dir, 'not-a-token.txt');
    writeFileSync(preexisting, 'precious');
    const target = (name: string) => join(dir, name);
    const cases: Array<[string, string[], RegExp[], string | undefined]> = [
      ['--offline without --output-file', ['create', 'token', '--admin', '--offline'], [/--output-file/], undefined],
      [
        '--offline without --admin',
        ['create', 'token', '--offline', '--output-file', target('a.json'), '--name', 'x'],
        [/--admin/],
        target('a.json'),
      ],
      [
        '--offline with a bad --expiry',
        ['create', 'token', '--admin', '--offline', '--output-file', target('b.json'), '--expiry', '7x'],
        [/--expiry/, /7x/],
        target('b.json'),
      ],
      [
        '--offline with an --expiry in the past',
        [
          'create',
          'token',
          '--admin',
          '--offline',
          '--output-file',
          target('p.json'),
          '--expiry',
          '2020-01-01T00:00:00Z',
        ],
        [/--expiry/, /not in the future/],
        target('p.json'),
      ],
      [
        '--offline with a reserved --name',
        ['create', 'token', '--admin', '--offline', '--output-file', target('c.json'), '--name', '_ops'],
        [/--name/, /_ops/],
        target('c.json'),
      ],
      [
        '--offline onto any existing file',
        ['create', 'token', '--admin', '--offline', '--output-file', preexisting],
        [/already exists/],
        undefined,
      ],
    ];
    const runs = await pool(
      cases.map(
        ([, args]) =>
          () =>
            runCli(args),
      ),
    );
    cases.forEach(([what, , patterns, file], i) => {
      fails(runs[i]!, what, ...patterns);
      if (file !== undefined) assert.throws(() => statSync(file), /ENOENT/, `${what}: no file written`);
    });
    assert.equal(readFileSync(preexisting, 'utf8'), 'precious');
  });
});
