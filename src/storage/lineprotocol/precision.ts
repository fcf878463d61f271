import { FluxgateError } from '../../domain/errors.ts';
import type { Precision } from './types.ts';

const PRECISIONS: ReadonlyMap<string, Precision> = new Map([
  ['ns', 'ns'],
  ['nanosecond', 'ns'],
  ['us', 'us'],
  ['microsecond', 'us'],
  ['ms', 'ms'],
  ['millisecond', 'ms'],
  ['s', 's'],
  ['second', 's'],
]);

/** Nanoseconds per unit of each precision, for scaling timestamps. */
export const NANOS_PER_UNIT: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
};

/** Reads the `precision` write parameter; absent means nanoseconds. */
export function parsePrecision(text: string | undefined): Precision {
  if (text === undefined) return 'ns';
  const precision = PRECISIONS.get(text);
  if (precision !== undefined) return precision;
  const shown = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  throw new FluxgateError(
    'INVALID_INPUT',
    `precision '${shown}' is not one of ns, us, ms, s (or nanosecond, microsecond, millisecond, second)`,
    { field: 'precision' },
  );
}
