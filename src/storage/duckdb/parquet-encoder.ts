import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import type { QueryResult } from '../storage.ts';
import { ConnectionPool } from './connection-pool.ts';
import { quoteLiteral } from './identifiers.ts';
import { openSandboxedInstance } from './sandboxed-instance.ts';
import { stageRows } from './staged-rows.ts';

/**
 * Encodes results as Parquet in a private in-memory instance that may only touch its own scratch
 * directory. It never runs user SQL: only the staging and COPY statements built here.
 */
export class ParquetEncoder {
  private constructor(
    private readonly directory: string,
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
  ) {}

  static async open(): Promise<ParquetEncoder> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'fluxgate-parquet-'));
    try {
      const instance = await openSandboxedInstance(':memory:', { allowedDirectory: directory });
      return new ParquetEncoder(directory, instance, new ConnectionPool(instance));
    } catch (error) {
      fs.rmSync(directory, { recursive: true, force: true });
      throw error;
    }
  }

  async encode(result: QueryResult): Promise<Uint8Array> {
    if (result.columns.length === 0)
      throw new FluxgateError('INTERNAL', 'a result without columns has no Parquet form');
    const file = path.join(this.directory, `${randomUUID()}.parquet`);
    return this.pool.use(async (connection) => {
      const staged = await stageRows(connection, result.columns, result.rows);
      try {
        await connection.run(`COPY (${staged.select}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
        return new Uint8Array(await fs.promises.readFile(file));
      } finally {
        await staged.drop();
        await fs.promises.rm(file, { force: true });
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.instance.closeSync();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
