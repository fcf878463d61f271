import { sqlString } from './sql-text.ts';
import { floorMod, zoneOffsetNs } from './time-zone.ts';

/** `GROUP BY time(every, offset)` with the statement's `tz()`. */
export interface Interval {
  every: bigint;
  offset: bigint;
  timezone?: string;
}

/**
 * The start of the bucket holding `t`, as InfluxDB 1.x computes it: buckets are aligned on the
 * epoch plus the offset, in local time when a zone is given; when the zone's offset changes
 * inside a bucket by less than its width (a day across a DST switch), the bucket moves with it.
 */
export function bucketStart(t: bigint, interval: Interval): bigint {
  const shifted = t - interval.offset;
  const zone = interval.timezone === undefined ? 0n : zoneOffsetNs(interval.timezone, shifted);
  let start = shifted - floorMod(shifted + zone, interval.every);
  if (interval.timezone !== undefined) {
    const change = zone - zoneOffsetNs(interval.timezone, start);
    if (change !== 0n && (change < 0n ? -change : change) < interval.every) start += change;
  }
  return start + interval.offset;
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: bigint, interval: Interval): bigint {
  if (interval.timezone === undefined) return start + interval.every;
  // Across a DST switch a bucket is longer or shorter than its width: step until the next one begins.
  let probe = start + interval.every;
  for (let i = 0; i < 8; i++) {
    const candidate = bucketStart(probe, interval);
    if (candidate > start) return candidate;
    probe += interval.every / 4n + 1n;
  }
  return start + interval.every;
}

/**
 * The bucket start of each row in SQL (BIGINT nanoseconds), the same arithmetic as `bucketStart`:
 * integer operations on `epoch_ns(time)`, and with a zone, its offset from DuckDB's time zone data.
 */
export function bucketSql(interval: Interval): string {
  const t = 'epoch_ns("time")';
  const every = interval.every;
  const offset = interval.offset;
  if (interval.timezone === undefined) {
    const shifted = offset === 0n ? t : `(${t} - ${offset})`;
    return `(${t} - ((${shifted} % ${every}) + ${every}) % ${every})`;
  }
  const zone = sqlString(interval.timezone);
  const instant = (ns: string) => `to_timestamp(${ns} / 1000000000.0)`;
  const zoneAt = (ns: string) => `((epoch_us(timezone(${zone}, ${instant(ns)})) - epoch_us(${instant(ns)})) * 1000)`;
  const shifted = `(${t} - ${offset})`;
  const z = zoneAt(shifted);
  const start = `(${shifted} - (((${shifted} + ${z}) % ${every}) + ${every}) % ${every})`;
  const change = `(${z} - ${zoneAt(start)})`;
  return `(${start} + CASE WHEN ${change} <> 0 AND abs(${change}) < ${every} THEN ${change} ELSE 0 END + ${offset})`;
}
