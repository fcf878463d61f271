import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openSandboxedInstance } from '../../../src/storage/duckdb/sandboxed-instance.ts';
import { tempDir } from './helpers.ts';

/** The engine-level layer under the validator: even SQL that got past it could not leave the database. */
describe('openSandboxedInstance', () => {
  let dir = '';
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  before(async () => {
    dir = tempDir();
    instance = await openSandboxedInstance(path.join(dir, 'db.duckdb'));
    connection = await instance.connect();
    await connection.run('CREATE TABLE cpu (time TIMESTAMP_NS, v DOUBLE)');
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const refused = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM '/etc/passwd'",
    "COPY cpu TO '<dir>/x.csv'",
    "EXPORT DATABASE '<dir>/export'",
    "ATTACH '<dir>/other.duckdb' AS other",
    'INSTALL httpfs',
    'LOAD httpfs',
    'SET threads = 1',
    "SET TimeZone = 'Europe/Paris'",
    'SET enable_external_access = true',
    'SET lock_configuration = false',
  ];
  for (const sql of refused) {
    it(`refuses ${sql}`, async () => {
      await assert.rejects(connection.run(sql.replace('<dir>', dir)));
    });
  }

  it('runs in UTC with a locked configuration and created no file', async () => {
    const reader = await connection.runAndReadAll(
      "SELECT current_setting('TimeZone'), current_setting('lock_configuration'), current_setting('enable_external_access')",
    );
    assert.deepEqual(reader.getRows(), [['UTC', true, false]]);
    assert.deepEqual(
      fs.readdirSync(dir).filter((file) => !file.endsWith('.wal')),
      ['db.duckdb'],
    );
  });

  it('may touch its allowed directory and nothing else when one is given', async () => {
    const scratch = tempDir();
    const encoder = await openSandboxedInstance(':memory:', { allowedDirectory: scratch });
    const encoderConnection = await encoder.connect();
    try {
      await encoderConnection.run(`COPY (SELECT 1 AS a) TO '${scratch}/ok.parquet' (FORMAT parquet)`);
      assert.ok(fs.existsSync(`${scratch}/ok.parquet`));
      await assert.rejects(encoderConnection.run(`COPY (SELECT 1 AS a) TO '${dir}/no.parquet' (FORMAT parquet)`));
      await assert.rejects(encoderConnection.run("SELECT * FROM read_csv('/etc/passwd')"));
      assert.equal(fs.existsSync(`${dir}/no.parquet`), false);
    } finally {
      encoderConnection.closeSync();
      encoder.closeSync();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
