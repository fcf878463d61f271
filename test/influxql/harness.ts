import fs from 'node:fs';
import { systemPrincipal } from '../../src/auth/principal.ts';
import type { DatabaseRecord } from '../../src/catalog/catalog.ts';
import type { StatementResult } from '../../src/influxql/result.ts';
import { formatRfc3339 } from '../../src/influxql/time-literals.ts';
import { DatabaseDirectory } from '../../src/services/database-directory.ts';
import { toStorageDatabase } from '../../src/services/database-resolver.ts';
import { InfluxqlService } from '../../src/services/influxql-service.ts';
import { DuckDbStorage } from '../../src/storage/duckdb/duckdb-storage.ts';
import { parseLineProtocolBuffer } from '../../src/storage/lineprotocol/parse-buffer.ts';
import { tempDir } from '../storage/duckdb/helpers.ts';

/** A real DuckDB storage with databases written from line protocol, and the InfluxQL service over it. */
export class InfluxqlHarness {
  readonly directory = new DatabaseDirectory();
  private readonly dir = tempDir();
  readonly storage = new DuckDbStorage(this.dir);
  now = Date.parse('2024-01-01T12:00:00Z');
  readonly service = new InfluxqlService({ directory: this.directory, storage: this.storage, now: () => this.now });
  private nextId = 1;

  async database(name: string, lines: string, retentionPeriodMs: number | null = null): Promise<DatabaseRecord> {
    const record: DatabaseRecord = {
      id: this.nextId++,
      name,
      createdAt: 0,
      deletedAt: null,
      purgedAt: null,
      maxTables: 1000,
      maxColumnsPerTable: 1000,
      retentionPeriodMs,
      ownerNode: null,
      upstreamName: name,
    };
    this.directory.put(record);
    await this.write(name, lines);
    return record;
  }

  /** Writes more lines into a database made by `database`. */
  async write(name: string, lines: string): Promise<void> {
    const record = this.directory.byNameOf(name);
    if (record === undefined) throw new Error(`no database ${name}`);
    if (lines.trim() === '') return;
    const parsed = parseLineProtocolBuffer(Buffer.from(lines), 'ns');
    if (parsed.errors.length > 0) throw new Error(`fixture lines do not parse: ${JSON.stringify(parsed.errors)}`);
    const outcome = await this.storage.write(toStorageDatabase(record), parsed, 0n);
    if (outcome.rejected.length > 0) throw new Error(`fixture lines refused: ${JSON.stringify(outcome.rejected)}`);
  }

  query(database: string, query: string, params?: Record<string, unknown>): Promise<StatementResult[]> {
    return this.service.query(
      systemPrincipal('test'),
      params === undefined ? { database, query } : { database, query, params },
    );
  }

  async close(): Promise<void> {
    await this.storage.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A statement result as tests compare it: tags as an object, times as RFC3339 (in the statement's zone). */
export interface PlainStatement {
  error?: string;
  series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
}

export function plain(results: StatementResult[]): PlainStatement[] {
  return results.map((result) => {
    if (result.error !== undefined) return { error: result.error };
    return {
      series: result.series.map((series) => {
        const timeAt = series.types[0] === 'time' ? 0 : -1;
        const one: NonNullable<PlainStatement['series']>[number] = {
          name: series.name,
          columns: series.columns,
          values: series.values.map((row) =>
            row.map((value, i) => (i === timeAt ? formatRfc3339(value as bigint, result.timezone) : value)),
          ),
        };
        if (series.tags.length > 0) one.tags = Object.fromEntries(series.tags);
        return one;
      }),
    };
  });
}
