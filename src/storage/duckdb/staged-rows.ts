import { randomUUID } from 'node:crypto';
import { type DuckDBConnection, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import { quoteIdentifier } from './identifiers.ts';

export interface StagedColumn {
  name: string;
  sqlType: string;
}

const SCALAR_TYPES = new Set(
  `BOOLEAN, BOOL, TINYINT, SMALLINT, INTEGER, INT, INT4, INT8, BIGINT, HUGEINT, UTINYINT, USMALLINT,
   UINTEGER, UBIGINT, UHUGEINT, FLOAT, REAL, DOUBLE, DECIMAL, NUMERIC, VARCHAR, TEXT, STRING, DATE,
   TIME, TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP_NS, TIMESTAMPTZ, TIMESTAMP WITH TIME ZONE,
   TIME WITH TIME ZONE, TIMETZ, INTERVAL, UUID, BLOB`.split(/\s*,\s*/),
);

/** `DOUBLE`, `DECIMAL(18,3)`, `VARCHAR[]`, `TIMESTAMP WITH TIME ZONE`: a type name safe to splice into SQL. */
const TYPE_SYNTAX = /^([A-Za-z_][A-Za-z0-9_ ]*?)\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?((\[\d*\])*)$/;

export type TypeSupport = 'scalar' | 'list' | 'unsupported';

export function typeSupport(sqlType: string): TypeSupport {
  const match = TYPE_SYNTAX.exec(sqlType.trim());
  const base = match?.[1]?.toUpperCase();
  if (!match || base === undefined || !SCALAR_TYPES.has(base)) return 'unsupported';
  return match[4] ? 'list' : 'scalar';
}

/**
 * Loads JSON-safe rows into a temporary all-VARCHAR table through the appender and returns a
 * SELECT that casts each column back to its type. Types outside `typeSupport` stay VARCHAR
 * (holding JSON text). Call the returned `drop` once done with the SELECT.
 */
export async function stageRows(
  connection: DuckDBConnection,
  columns: readonly StagedColumn[],
  rows: readonly unknown[][],
): Promise<{ select: string; drop: () => Promise<void> }> {
  const stage = await createStage(connection, columns);
  try {
    await stage.append(rows);
  } catch (error) {
    await stage.drop();
    throw error;
  }
  return stage;
}

export interface Stage {
  /** Appends rows; may be called many times, batch by batch. */
  append(rows: readonly unknown[][]): Promise<void>;
  select: string;
  drop(): Promise<void>;
}

/** An empty staging table (see `stageRows`) to fill batch by batch. */
export async function createStage(connection: DuckDBConnection, columns: readonly StagedColumn[]): Promise<Stage> {
  const table = `stage_${randomUUID().replaceAll('-', '')}`;
  const internal = columns.map((_, index) => `c${index}`);
  await connection.run(`CREATE TEMP TABLE ${table} (${internal.map((name) => `${name} VARCHAR`).join(', ')})`);
  const types = columns.map(() => VARCHAR);
  const list = columns.map(
    (column, index) => `${castText(`c${index}`, column.sqlType)} AS ${outputName(column, index)}`,
  );
  return {
    select: `SELECT ${list.join(', ')} FROM temp.main.${table}`,
    append: async (rows) => {
      const appender = await connection.createAppender(table, 'main', 'temp');
      try {
        for (let offset = 0; offset < rows.length; offset += 2048) {
          const slice = rows.slice(offset, offset + 2048);
          const chunk = DuckDBDataChunk.create(types, slice.length);
          for (let column = 0; column < columns.length; column++) {
            chunk.setColumnValues(
              column,
              slice.map((row) => toText(row[column])),
            );
          }
          appender.appendDataChunk(chunk);
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    },
    drop: async () => {
      await connection.run(`DROP TABLE IF EXISTS temp.main.${table}`);
    },
  };
}

function outputName(column: StagedColumn, index: number): string {
  return quoteIdentifier(column.name === '' ? `column${index}` : column.name);
}

function castText(column: string, sqlType: string): string {
  const support = typeSupport(sqlType);
  if (support === 'unsupported') return column;
  const type = sqlType.trim();
  if (support === 'list') return `CAST(CAST(${column} AS JSON) AS ${type})`;
  if (/^blob$/i.test(type)) return `from_base64(${column})`;
  return `CAST(${column} AS ${type})`;
}

function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
}
