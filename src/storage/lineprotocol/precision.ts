import { FluxgateError } from '../../domain/errors.ts';
import type { Precision } from './types.ts';

const PRECISIONS: ReadonlyMap<string, Precision> = new Map([
  ['auto', 'auto'],
  ['ns', 'ns'],
  ['nanosecond', 'ns'],
  ['us', 'us'],
  ['microsecond', 'us'],
  ['ms', 'ms'],
  ['millisecond', 'ms'],
  ['s', 's'],
  ['second', 's'],
]);

/**
 * Nanoseconds per unit of each precision, for scaling timestamps. `auto` reads timestamps as they
 * are and scales them once parsed, each by the unit its magnitude suggests.
 */
export const NANOS_PER_UNIT: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  auto: 1n,
};

const NS_PER_S = 1_000_000_000n;

/**
 * InfluxDB 3's `auto` precision: a timestamp whose magnitude, read as nanoseconds, is under 5 s is
 * taken as seconds (so seconds up to the year 2128), under 5,000 s as milliseconds, under 5,000,000 s
 * as microseconds, and anything larger as nanoseconds. The scaled value always fits the time range.
 */
export function guessTimeNs(raw: bigint): bigint {
  const seconds = (raw < 0n ? -raw : raw) / NS_PER_S;
  if (seconds < 5n) return raw * 1_000_000_000n;
  if (seconds < 5_000n) return raw * 1_000_000n;
  if (seconds < 5_000_000n) return raw * 1_000n;
  return raw;
}

/** Reads the `precision` write parameter; absent means `fallback` (nanoseconds unless told). */
export function parsePrecision(text: string | undefined, fallback: Precision = 'ns'): Precision {
  if (text === undefined) return fallback;
  const precision = PRECISIONS.get(text);
  if (precision !== undefined) return precision;
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  throw new FluxgateError(
    'INVALID_INPUT',
    `precision '${shown}' is not one of auto, ns, us, ms, s (or nanosecond, microsecond, millisecond, second)`,
    { field: 'precision' },
  );
}
