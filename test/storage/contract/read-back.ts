import assert from 'node:assert/strict';
import type { SeriesPart } from '../../../src/influxql/result.ts';
import { formatRfc3339 } from '../../../src/influxql/time-literals.ts';
import type { Storage, StorageDatabase } from '../../../src/storage/storage.ts';
import { rejectsWithCode } from './harness.ts';

/**
 * One question a contract case asks of the data it wrote, in each query language an adapter may
 * speak. A plain string is a statement that is the same question in SQL and in InfluxQL (`SELECT
 * host, v FROM m`); otherwise each language has its own text. InfluxQL orders rows by time only:
 * `influxqlSortedBy` names the column the SQL's ORDER BY sorts by, and the InfluxQL rows are sorted
 * by it before they are compared. An InfluxQL list is several one-row statements (InfluxQL has no
 * FILTER clause) whose values are put side by side, as the SQL's one row has them.
 */
export type Read = string | { sql: string; influxql: string | string[]; influxqlSortedBy?: number };

export interface ReadResult {
  /** Each column's name and its type as the language gives it (an SQL type, or an InfluxQL column type). */
  columns: Array<{ name: string; type: string }>;
  /** The port's JSON-safe values: integers beyond 2^53 as strings, times as RFC3339 with nanoseconds. */
  rows: unknown[][];
}

/** How a contract case reads back what it wrote: through the adapter's SQL, or its InfluxQL. */
export interface ReadBack {
  readonly language: 'sql' | 'influxql';
  read(storage: Storage, db: StorageDatabase, read: Read): Promise<ReadResult>;
  /** Asserts that `read` finds no measurement `name` (it was never written, or was dropped). */
  assertNoMeasurement(storage: Storage, db: StorageDatabase, read: Read, name: string): Promise<void>;
}

/** SQL through `Storage.query`, as the port's SQL faces read (DuckDB, the InfluxDB 3 upstream). */
export const sqlReadBack: ReadBack = {
  language: 'sql',
  async read(storage, db, read) {
    const result = await storage.query(db, typeof read === 'string' ? read : read.sql);
    return {
      columns: result.columns.map((column) => ({ name: column.name, type: column.sqlType })),
      rows: result.rows,
    };
  },
  async assertNoMeasurement(storage, db, read, name) {
    // SQL has no table of that name: the statement fails, naming it.
    await rejectsWithCode(
      storage.query(db, typeof read === 'string' ? read : read.sql),
      'QUERY_FAILED',
      new RegExp(`\\b${name}\\b`),
    );
  },
};

/** InfluxQL through `Storage.influxql.run`, as the InfluxQL faces read (the InfluxDB 1.x upstream). */
export const influxqlReadBack: ReadBack = {
  language: 'influxql',
  async read(storage, db, read) {
    const statements = typeof read === 'string' ? read : read.influxql;
    if (typeof statements === 'string') {
      const result = await influxqlResult(storage, db, statements);
      const sortedBy = typeof read === 'string' ? undefined : read.influxqlSortedBy;
      if (sortedBy !== undefined) result.rows.sort((a, b) => compare(a[sortedBy], b[sortedBy]));
      return result;
    }
    const joined: ReadResult = { columns: [], rows: [[]] };
    for (const statement of statements) {
      const result = await influxqlResult(storage, db, statement);
      assert.ok(result.rows.length <= 1, `${statement} answers one row at most`);
      joined.columns.push(...result.columns);
      // An InfluxQL aggregate over no point answers no row at all: its values are null.
      joined.rows[0]!.push(...(result.rows[0] ?? result.columns.map(() => null)));
    }
    return joined;
  },
  async assertNoMeasurement(storage, db, read, name) {
    const text = typeof read === 'string' ? read : read.influxql;
    assert.equal(typeof text, 'string', 'one InfluxQL statement');
    try {
      const parts = await collect(storage, db, text as string);
      // InfluxQL answers a measurement it does not have with no series (not an error, as in InfluxDB).
      assert.deepEqual(
        parts.map((part) => part.name),
        [],
        `no series of ${name}`,
      );
    } catch (error) {
      // A dropped database is not there at all: the upstream says so.
      assert.equal((error as { code?: string }).code, 'QUERY_FAILED', String(error));
      assert.match((error as Error).message, /database not found/);
    }
  },
};

async function collect(storage: Storage, db: StorageDatabase, text: string): Promise<SeriesPart[]> {
  assert.ok(storage.influxql !== undefined, 'the adapter runs InfluxQL');
  const parts: SeriesPart[] = [];
  for await (const part of storage.influxql.run(db, text, {})) parts.push(part);
  return parts;
}

/**
 * One statement's series parts as one table. InfluxQL always answers with `time` first (0 for an
 * aggregate over all time); it is kept only when the statement selects it, as SQL would.
 */
async function influxqlResult(storage: Storage, db: StorageDatabase, text: string): Promise<ReadResult> {
  const parts = await collect(storage, db, text);
  if (parts.length === 0) return { columns: [], rows: [] };
  const first = parts[0]!;
  for (const part of parts) {
    assert.deepEqual(part.columns, first.columns, `${text}: one table, not series of different columns`);
  }
  const keepTime = /^\s*SELECT\s+time\b/i.test(text);
  const from = first.columns[0] === 'time' && !keepTime ? 1 : 0;
  const columns = first.columns.slice(from).map((name, i) => ({ name, type: first.types[from + i] ?? 'unknown' }));
  const rows = parts.flatMap((part) =>
    part.values.map((row) =>
      row.slice(from).map((value, i) => (part.types[from + i] === 'time' ? timeText(value) : jsonSafe(value))),
    ),
  );
  return { columns, rows };
}

function timeText(value: unknown): unknown {
  return typeof value === 'bigint' ? formatRfc3339(value) : value;
}

/** As the port carries values: integers beyond 2^53 as decimal text, so no digit is lost. */
function jsonSafe(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}
