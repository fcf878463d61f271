import type { DuckDBConnection } from '@duckdb/node-api';
import { FluxgateError } from '../../domain/errors.ts';
import { ColumnRegistry } from './column-registry.ts';
import { ConnectionPool } from './connection-pool.ts';
import type { SandboxedDatabase } from './sandboxed-instance.ts';
import { SeriesMarks } from './series-marks.ts';
import { loadAppliedSeq } from './wal-position.ts';

/** What of an engine's open database the reset replaces. */
export interface ResettableDatabase {
  instance: SandboxedDatabase;
  writer: DuckDBConnection;
  queries: ConnectionPool;
  registry: ColumnRegistry;
  marks: SeriesMarks;
}

/** Queries started while the database is reopened get a clear 503 instead of a detached catalog. */
const resetting = {
  connectForQueries: (): Promise<DuckDBConnection> =>
    Promise.reject(
      new FluxgateError('STORAGE_BEHIND', 'the database is being reopened after a failed apply; try again shortly'),
    ),
};

/**
 * Discards what DuckDB holds in memory for a database after an apply transaction it failed (e.g.
 * its COMMIT on a full disk): DuckDB 1.5 (@duckdb/node-api 1.5.6-r.1) can keep part of the rows
 * that transaction appended, though it rolled back, and store them with the next transaction that
 * commits. Closing the database and opening it again (DETACH and ATTACH in a shared instance) leaves
 * only what is in the file; the column registry and the series marks are read from it again, and
 * the applied position returned tells which logged records the retry must apply. If the close fails
 * (DETACH checkpoints, which a full disk can fail) the database goes on as it was, with new
 * connections, and the error is thrown: the reset has to be tried again before the next apply.
 */
export async function reopenAfterFailedApply(
  database: ResettableDatabase,
  prepareQueries: (connection: DuckDBConnection) => Promise<void>,
): Promise<bigint> {
  const old = database.queries;
  database.queries = new ConnectionPool(resetting);
  await old.close();
  database.writer.closeSync();
  let reopened: SandboxedDatabase;
  try {
    reopened = await database.instance.reopen();
  } catch (error) {
    try {
      database.writer = await database.instance.connect();
      database.queries = new ConnectionPool(database.instance, prepareQueries);
    } catch {
      // Detached but not attached again: the next reset attaches it.
    }
    throw error;
  }
  database.instance = reopened;
  database.writer = await reopened.connect();
  database.registry = await ColumnRegistry.load(database.writer);
  database.marks = new SeriesMarks();
  database.queries = new ConnectionPool(reopened, prepareQueries);
  return loadAppliedSeq(database.writer);
}
