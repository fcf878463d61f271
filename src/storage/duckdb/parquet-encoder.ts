import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import type { QueryResult, ResultColumn } from '../storage.ts';
import { ConnectionPool } from './connection-pool.ts';
import { quoteLiteral } from './identifiers.ts';
import { openSandboxedInstance } from './sandboxed-instance.ts';
import { createStage } from './staged-rows.ts';

/** The encoder's buffer pool: what staged Parquet rows may take (whether DuckDB spills past it is unverified). */
const ENCODER_MEMORY_LIMIT = '128MB';

async function* oneBatch(rows: unknown[][]): AsyncGenerator<unknown[][]> {
  yield rows;
}

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
      const instance = await openSandboxedInstance(':memory:', {
        allowedDirectory: directory,
        memoryLimit: ENCODER_MEMORY_LIMIT,
        threads: 1,
      });
      return new ParquetEncoder(directory, instance, new ConnectionPool(instance));
    } catch (error) {
      fs.rmSync(directory, { recursive: true, force: true });
      throw error;
    }
  }

  async encode(result: QueryResult): Promise<Uint8Array> {
    const pieces: Uint8Array[] = [];
    for await (const piece of this.encodeStream(result.columns, oneBatch(result.rows))) pieces.push(piece);
    return new Uint8Array(Buffer.concat(pieces));
  }

  /**
   * Stages the batches in the encoder's instance as they come (outside the heap, within its memory
   * limit), writes the file once they end, and yields it in pieces.
   */
  async *encodeStream(
    columns: readonly ResultColumn[],
    batches: AsyncIterable<unknown[][]>,
    options: { signal?: AbortSignal; metadata?: () => Record<string, string> } = {},
  ): AsyncGenerator<Uint8Array> {
    if (columns.length === 0) throw new FluxgateError('INTERNAL', 'a result without columns has no Parquet form');
    const file = path.join(this.directory, `${randomUUID()}.parquet`);
    const connection = await this.pool.acquire();
    let healthy = false;
    const interrupt = () => connection.interrupt();
    options.signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const stage = await createStage(connection, columns);
      try {
        for await (const batch of batches) {
          options.signal?.throwIfAborted();
          await stage.append(batch);
        }
        options.signal?.throwIfAborted();
        const metadata = Object.entries(options.metadata?.() ?? {});
        const kv =
          metadata.length === 0
            ? ''
            : `, KV_METADATA {${metadata.map(([key, value]) => `${quoteLiteral(key)}: ${quoteLiteral(value)}`).join(', ')}}`;
        await connection.run(`COPY (${stage.select}) TO ${quoteLiteral(file)} (FORMAT parquet${kv})`);
      } finally {
        await stage.drop();
      }
      healthy = true;
      for await (const piece of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
        yield new Uint8Array(piece as Buffer);
      }
    } finally {
      options.signal?.removeEventListener('abort', interrupt);
      this.pool.release(connection, healthy);
      await fs.promises.rm(file, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
    this.instance.closeSync();
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
