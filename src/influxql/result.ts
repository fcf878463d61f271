/** What an InfluxQL statement answers: series of rows, the shape every face converts from. */
import type { ErrorCode } from '../domain/errors.ts';

/** A column's type: for Arrow schemas (Flight, Parquet) and for typing columns the SQL did not. */
export type ColumnType = 'time' | 'tag' | 'float' | 'integer' | 'uinteger' | 'string' | 'boolean' | 'unknown';

export interface Series {
  /** The measurement (or `measurements`, `databases`… for SHOW statements). */
  name: string;
  /** The GROUP BY tags of this series, sorted by key; empty without GROUP BY tags. */
  tags: Array<[string, string]>;
  /** `time` first when the statement has a time column. */
  columns: string[];
  types: ColumnType[];
  /** Row values; times are nanoseconds as bigint, other values JSON-safe. */
  values: unknown[][];
}

export interface StatementResult {
  series: Series[];
  /** A statement error: the statement ran (or was refused) on its own, the others are unaffected. */
  error?: string;
  /** The error's code, for faces that answer a statement error with a status (`query_influxql`). */
  errorCode?: ErrorCode;
  /** The time zone of `tz()`, for RFC3339 times with the local offset. */
  timezone?: string;
  /**
   * SHOW DATABASES and SHOW RETENTION POLICIES, which InfluxDB 3's flat shape writes with
   * `iox::database` instead of `iox::measurement`.
   */
  shape?: 'databases' | 'retention_policies';
  /** The database a SHOW RETENTION POLICIES statement described. */
  database?: string;
}

/**
 * A piece of one series as a SELECT streams it: the series' header and some of its rows, in order.
 * `continues` says for certain that the next part holds more rows of the same series.
 */
export interface SeriesPart extends Series {
  continues: boolean;
}
