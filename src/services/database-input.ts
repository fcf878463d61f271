import type { DatabaseRecord } from '../catalog/catalog.ts';
import { parseDuration } from '../domain/durations.ts';
import { fail } from '../domain/errors.ts';
import { parseRetentionPeriodNs, retentionNsToMs, retentionPeriodFromNs } from '../domain/retention-period.ts';

export interface DatabaseLimitsConfig {
  maxTables: number;
  maxColumnsPerTable: number;
}

/** The originals keep the limits as int32. */
const MAX_LIMIT = 2_147_483_647;

/**
 * A table or column limit: a positive integer, where `0` (and absence) means the server's default,
 * as influxctl's `--max-tables 0`. Throws INVALID_INPUT naming `field`.
 */
export function limitOrDefault(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined || value === 0) return fallback;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_LIMIT) {
    fail('INVALID_INPUT', `${field} must be a positive integer of at most ${MAX_LIMIT} (0 for the default)`, {
      field,
    });
  }
  return value;
}

/** A retention period already in milliseconds (the faces parse the syntax): positive, or null for infinite. */
export function retentionMs(value: number | null | undefined, field: string): number | null {
  if (value === undefined || value === null || value === 0) return null;
  if (!Number.isSafeInteger(value) || value < 0) {
    fail('INVALID_INPUT', `${field} must be a positive duration (0 for infinite)`, { field });
  }
  return value;
}

/**
 * A retention period as a face received it: integer nanoseconds (the v0 API), or text in influxctl's
 * syntax (`30d30d`, `2.5d`) or the v3 API's durations (`30d`, `1h30m`). Parsed by the service, so a bad
 * one is audited as a failed attempt like any other bad input.
 */
export type RetentionInput = { ns: number } | { text: string; syntax: 'influxctl' | 'duration' };

/** Milliseconds (null for infinite) from what a face received; errors name `field`. */
export function retentionFromInput(input: RetentionInput, field: string): number | null {
  if ('ns' in input) return retentionNsToMs(retentionPeriodFromNs(input.ns, field), field);
  if (input.syntax === 'influxctl') return retentionNsToMs(parseRetentionPeriodNs(input.text, field), field);
  return parseDuration(input.text, field);
}

export type DatabaseStatus = 'active' | 'deleted' | 'purged';

export interface DatabaseView {
  id: number;
  name: string;
  status: DatabaseStatus;
  createdAt: number;
  /** When it was deleted; null while live. */
  deletedAt: number | null;
  /** When a deleted database's files go (or went); null while live. */
  purgeAt: number | null;
  retentionPeriodMs: number | null;
  maxTables: number;
  maxColumnsPerTable: number;
}

export function statusOf(record: DatabaseRecord): DatabaseStatus {
  if (record.deletedAt === null) return 'active';
  return record.purgedAt === null ? 'deleted' : 'purged';
}

/** What the faces show of a database; `recoveryWindowMs` says when a deleted one's files go. */
export function toView(record: DatabaseRecord, recoveryWindowMs = 0): DatabaseView {
  return {
    id: record.id,
    name: record.name,
    status: statusOf(record),
    createdAt: record.createdAt,
    deletedAt: record.deletedAt,
    purgeAt: record.deletedAt === null ? null : (record.purgedAt ?? record.deletedAt + recoveryWindowMs),
    retentionPeriodMs: record.retentionPeriodMs,
    maxTables: record.maxTables,
    maxColumnsPerTable: record.maxColumnsPerTable,
  };
}
