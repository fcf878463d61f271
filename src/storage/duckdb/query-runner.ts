import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { FluxgateError, isFluxgateError } from '../../domain/errors.ts';
import type { QueryResult } from '../storage.ts';
import { toJsonValue } from './result-values.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Defines `date_bin` as in InfluxDB 3 SQL (origin 1970-01-01, result TIMESTAMP_NS) and makes
 * `now()` a UTC TIMESTAMP_NS, so `time > now() - INTERVAL '1 hour'` compares without a cast
 * (DuckDB's own `now()` is a TIMESTAMPTZ, which it refuses to compare with TIMESTAMP_NS).
 * Temporary macros live in the connection and shadow the built-in `now`.
 */
export async function installQueryMacros(connection: DuckDBConnection): Promise<void> {
  await connection.run(
    `CREATE OR REPLACE TEMP MACRO date_bin(i, t, o := TIMESTAMP '1970-01-01 00:00:00') AS CAST(time_bucket(i, t, o) AS TIMESTAMP_NS);
     CREATE OR REPLACE TEMP MACRO now() AS make_timestamp_ns(epoch_ns(get_current_timestamp()));`,
  );
}

/**
 * Runs one already-validated statement with `$name` parameters and returns JSON-safe rows. A statement
 * still running after `timeoutMs` is interrupted, so one runaway query cannot hold the server.
 */
export async function runQuery(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, unknown> = {},
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<QueryResult> {
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, timeoutMs)
    : undefined;
  try {
    return await prepareAndRun(connection, sql, params);
  } catch (error) {
    if (!timedOut) throw error;
    throw new FluxgateError('QUERY_FAILED', `the query ran longer than ${timeoutMs / 1000} s and was stopped`);
  } finally {
    clearTimeout(timer);
  }
}

async function prepareAndRun(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, unknown>,
): Promise<QueryResult> {
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await connection.prepare(sql);
  } catch (error) {
    throw queryFailed(error);
  }
  try {
    bindParameters(prepared, params);
    const reader = await prepared.runAndReadAll();
    const columns = reader.columnNames().map((name, index) => ({ name, sqlType: reader.columnType(index).toString() }));
    const rows = reader.getRows().map((row) => row.map(toJsonValue));
    return { columns, rows };
  } catch (error) {
    throw queryFailed(error);
  } finally {
    prepared.destroySync();
  }
}

function bindParameters(prepared: DuckDBPreparedStatement, params: Record<string, unknown>): void {
  for (let index = 1; index <= prepared.parameterCount; index++) {
    const name = prepared.parameterName(index);
    const value = Object.hasOwn(params, name) ? params[name] : params[`$${name}`];
    if (value === undefined) {
      throw new FluxgateError('QUERY_FAILED', `no value was given for parameter $${name}`, { field: `params.${name}` });
    }
    if (value === null) prepared.bindNull(index);
    else if (typeof value === 'string') prepared.bindVarchar(index, value);
    else if (typeof value === 'boolean') prepared.bindBoolean(index, value);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) prepared.bindBigInt(index, BigInt(value));
    else if (typeof value === 'number') prepared.bindDouble(index, value);
    else if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) prepared.bindBigInt(index, value);
    else if (typeof value === 'bigint') prepared.bindHugeInt(index, value);
    else {
      throw new FluxgateError('QUERY_FAILED', `parameter $${name} must be a string, number, boolean or null`, {
        field: `params.${name}`,
      });
    }
  }
}

function queryFailed(error: unknown): FluxgateError {
  if (isFluxgateError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FluxgateError('QUERY_FAILED', message);
}
