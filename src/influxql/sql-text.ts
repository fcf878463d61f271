/** Pieces of the SQL the translator writes (DuckDB's dialect, which `query_sql` also speaks). */

export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A float literal DuckDB reads back exactly (and never as an integer). */
export function sqlFloat(value: number): string {
  if (!Number.isFinite(value)) return 'NULL';
  return `CAST(${JSON.stringify(value)} AS DOUBLE)`;
}

/** A nanosecond instant as a TIMESTAMP_NS, which compares with `time` without a cast. */
export function sqlInstant(ns: bigint): string {
  return `make_timestamp_ns(${ns})`;
}
