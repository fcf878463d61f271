import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import { commitTogetherOrAlone, GroupCommitQueue } from '../../support/group-commit-queue.ts';
import type { LineBatch } from '../lineprotocol/line-batch.ts';
import type { DatabaseLimits, MeasurementSchema, QueryResult, QueryStream, WriteOutcome } from '../storage.ts';
import { ColumnRegistry } from './column-registry.ts';
import { ConnectionPool } from './connection-pool.ts';
import { commitDraft } from './draft-writer.ts';
import { identifierKey, quoteIdentifier } from './identifiers.ts';
import { measurementSchemas } from './measurement-schemas.ts';
import { installQueryMacros, openStatement, runQuery } from './query-runner.ts';
import type { QueryScope, TableReference, TableVerdict } from './query-validator.ts';
import { openSandboxedInstance, type SandboxOptions } from './sandboxed-instance.ts';
import { WriteDraft, type WriteRequest } from './write-draft.ts';

/** Points per transaction when concurrent writes are grouped: bounds the latency a group adds. */
const MAX_GROUP_POINTS = 50_000;

interface Resources {
  instance: DuckDBInstance;
  /** Used by one task at a time, through the queue: writes, schema changes, retention. */
  writer: DuckDBConnection;
  queries: ConnectionPool;
  registry: ColumnRegistry;
}

/**
 * One database: its DuckDB instance, opened in the background as soon as the engine exists,
 * a queue serializing writes (grouped into shared commits), a pool of query connections, and
 * the column registry. Work submitted before `close` finishes; work submitted after is refused.
 */
export class DatabaseEngine implements QueryScope {
  private readonly resources: Promise<Resources>;
  private readonly queue: GroupCommitQueue<WriteRequest, WriteOutcome>;
  private opened: Resources | undefined;
  private closing: Promise<void> | undefined;

  /** `after` delays opening, e.g. until an earlier drop of the same file has finished. */
  constructor(
    file: string,
    after: Promise<void> = Promise.resolve(),
    private readonly queryTimeoutMs = Number.POSITIVE_INFINITY,
    sizing: Pick<SandboxOptions, 'memoryLimit' | 'threads'> = {},
  ) {
    this.resources = after.then(() => open(file, sizing));
    this.resources.then(
      (resources) => (this.opened = resources),
      () => {},
    );
    this.queue = new GroupCommitQueue({
      // Any failure of a group is retried write by write, so it stays with the write that caused it.
      processGroup: (requests) =>
        commitTogetherOrAlone(
          requests,
          (group) => this.store(group),
          () => true,
        ),
      maxGroupWeight: MAX_GROUP_POINTS,
    });
  }

  /** Resolves once the instance is open and the registry loaded; rejects if opening failed. */
  async ready(): Promise<void> {
    this.assertOpen();
    await this.resources;
  }

  write(batch: LineBatch, defaultTimeNs: bigint, limits: DatabaseLimits): Promise<WriteOutcome> {
    this.assertOpen();
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    return this.queue.submit({ batch, defaultTimeNs, limits, nowNs }, batch.pointCount);
  }

  /** How a query may use a table reference: only this database's own tables, in schema `main`. Needs `ready`. */
  classify(reference: TableReference): TableVerdict {
    if (reference.catalog !== '') return { kind: 'outside' };
    if (reference.schema !== '' && identifierKey(reference.schema) !== 'main') return { kind: 'outside' };
    const table = this.opened?.registry.get(reference.name);
    return table ? { kind: 'allowed', columns: table.columns.map((column) => column.name) } : { kind: 'missing' };
  }

  /** The measurements committed writes created, from the column registry (no query runs). */
  async schema(): Promise<MeasurementSchema[]> {
    this.assertOpen();
    const { registry } = await this.resources;
    return measurementSchemas(registry);
  }

  /** Runs an already-validated statement on a pooled query connection, concurrently with writes. */
  async query(sql: string, params?: Record<string, unknown>): Promise<QueryResult> {
    this.assertOpen();
    const { queries } = await this.resources;
    this.assertOpen();
    return queries.use((connection) => runQuery(connection, sql, params, this.queryTimeoutMs));
  }

  /** Opens an already-validated statement as a stream holding a pooled connection until it is closed. */
  async openStream(sql: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<QueryStream> {
    this.assertOpen();
    const { queries } = await this.resources;
    this.assertOpen();
    const connection = await queries.acquire();
    return openStatement(connection, sql, params, signal, (healthy) => queries.release(connection, healthy));
  }

  /** Deletes rows with `time` before `cutoffNs` in every table; returns how many. */
  enforceRetention(cutoffNs: bigint): Promise<number> {
    this.assertOpen();
    return this.queue.exclusive(async () => {
      const { writer, registry } = await this.resources;
      let deleted = 0;
      for (const table of registry.all()) {
        const result = await writer.run(
          `DELETE FROM ${quoteIdentifier(table.name)} WHERE "time" < make_timestamp_ns(CAST($cutoff AS BIGINT))`,
          { cutoff: cutoffNs },
        );
        deleted += result.rowsChanged;
      }
      return deleted;
    });
  }

  /** Refuses new work, lets queued writes and running queries finish, then closes the instance. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.exclusive(async () => {});
      const resources = await this.resources.catch(() => undefined);
      if (!resources) return;
      await resources.queries.close();
      resources.writer.closeSync();
      resources.instance.closeSync();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new FluxgateError('DATABASE_NOT_FOUND', 'the database was dropped or its storage closed');
  }

  /** Stores the writes in one transaction; the registry learns their new columns once it commits. */
  private async store(requests: readonly WriteRequest[]): Promise<WriteOutcome[]> {
    const { writer, registry } = await this.resources;
    const draft = new WriteDraft(registry);
    const outcomes = requests.map((request) => draft.plan(request));
    await commitDraft(writer, draft);
    draft.applyTo(registry);
    return outcomes;
  }
}

async function open(file: string, sizing: SandboxOptions): Promise<Resources> {
  const instance = await openSandboxedInstance(file, sizing);
  try {
    const writer = await instance.connect();
    const registry = await ColumnRegistry.load(writer);
    return { instance, writer, queries: new ConnectionPool(instance, installQueryMacros), registry };
  } catch (error) {
    instance.closeSync();
    throw error;
  }
}
