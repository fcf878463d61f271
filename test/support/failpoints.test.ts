import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const MODULE = new URL('../../src/support/failpoints.ts', import.meta.url).href;

/** Runs `script` (an ES module importing the failpoints as `fp`) in a process of its own with `spec` armed. */
function run(spec: string | undefined, script: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FLUXGATE_FAILPOINTS;
  if (spec !== undefined) env.FLUXGATE_FAILPOINTS = spec;
  const source = `import * as fp from ${JSON.stringify(MODULE)};\n${script}`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    env,
    encoding: 'utf8',
  });
  return { signal: result.signal, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('failpoints', () => {
  test('unarmed, every failpoint returns and nothing is armed', () => {
    const result = run(
      undefined,
      `for (let i = 0; i < 5; i++) fp.failpoint('wal.sync.after');\nconsole.log('armed', fp.FAILPOINTS_ARMED);`,
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'armed false');
  });

  test('the process SIGKILLs itself on the named hit, says where, and runs nothing after it', () => {
    const result = run(
      'apply.commit.before:1, wal.sync.after:3',
      `for (let i = 1; i <= 5; i++) { fp.failpoint('wal.sync.after'); console.log('passed', i); }`,
    );
    assert.equal(result.signal, 'SIGKILL');
    assert.deepEqual(result.stdout.trim().split('\n'), ['passed 1', 'passed 2']);
    assert.match(result.stderr, /^failpoint wal\.sync\.after hit 3: SIGKILL$/m);
  });

  test('a torn write leaves the first half of the bytes and then kills', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fluxgate-failpoints-'));
    try {
      const file = join(dir, 'log');
      const result = run(
        'wal.append.mid:2',
        `import { promises as fs } from 'node:fs';
const handle = await fs.open(${JSON.stringify(file)}, 'w+');
const file = { write: async (bytes, position) => { await handle.write(bytes, 0, bytes.length, position); } };
const frame = Buffer.from('abcdefgh');
for (let i = 0; i < 3; i++) {
  await fp.failpointTornWrite('wal.append.mid', file, frame, i * 8);
  await file.write(frame, i * 8);
}`,
      );
      assert.equal(result.signal, 'SIGKILL', result.stderr);
      assert.match(result.stderr, /failpoint wal\.append\.mid hit 2: SIGKILL/);
      assert.equal(readFileSync(file, 'latin1'), 'abcdefghabcd');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a malformed FLUXGATE_FAILPOINTS stops the process at start', () => {
    const result = run('wal.append.mid:0', `console.log('started');`);
    assert.notEqual(result.status, 0);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /FLUXGATE_FAILPOINTS: 'wal\.append\.mid:0' is not a name or name:hit/);
  });
});
