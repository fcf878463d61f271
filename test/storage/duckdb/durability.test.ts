import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbStorage } from '../../../src/storage/duckdb/duckdb-storage.ts';
import { database, tempDir } from './helpers.ts';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'durability-writer.ts');

it('keeps acknowledged writes when the process is killed with SIGKILL right after the ack', async () => {
  const dir = tempDir();
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /acked (\d+)/.exec(output);
        if (match) {
          child.kill('SIGKILL');
          resolve(Number(match[1]));
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal} before acking`));
      });
    });
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
    );
    assert.equal(child.signalCode, 'SIGKILL');
    assert.equal(acked, 5000);
    // Not applied yet: the rows live in fluxgate's write-ahead log, synced before the write resolved.
    const log = path.join(dir, 'dbs', '1.duckdb.points-wal');
    assert.ok(fs.readdirSync(log).some((file) => fs.statSync(path.join(log, file)).size > 5000 * 8));

    const storage = new DuckDbStorage(dir);
    try {
      const result = await storage.query(database(1), 'SELECT count(*), count(f4), sum(v) FROM cpu');
      assert.deepEqual(result.rows, [[5000, 1000, 5 * 499_500]]);
    } finally {
      await storage.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
