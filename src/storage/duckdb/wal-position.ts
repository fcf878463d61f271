import type { DuckDBConnection } from '@duckdb/node-api';

/** Outside schema `main`, so it is neither a measurement nor readable by a query (only `main` is). */
const TABLE = 'fluxgate_internal.wal_applied';

/** How far the write-ahead log is applied to the database file: 0 for a database never written. */
export async function loadAppliedSeq(connection: DuckDBConnection): Promise<bigint> {
  await connection.run(
    `CREATE SCHEMA IF NOT EXISTS fluxgate_internal; CREATE TABLE IF NOT EXISTS ${TABLE} (seq BIGINT NOT NULL)`,
  );
  const rows = (await connection.runAndReadAll(`SELECT CAST(seq AS VARCHAR) FROM ${TABLE}`)).getRows();
  if (rows.length > 0) return BigInt(String(rows[0]![0]));
  await connection.run(`INSERT INTO ${TABLE} VALUES (0)`);
  return 0n;
}

/** The statement that records, inside the apply's own transaction, the last log record it applies. */
export function appliedSeqStatement(seq: bigint): string {
  return `UPDATE ${TABLE} SET seq = ${seq.toString()}`;
}
