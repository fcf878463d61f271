import { fail } from './errors.ts';

/** `--query-max-result`: at most this many bytes and rows per answer (Infinity: no cap). */
export interface ResultCapSetting {
  maxBytes: number;
  maxRows: number;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** The default: see docs/api.md "Result limits". */
export const DEFAULT_RESULT_CAP = '256MiB,2000000rows';

/**
 * Parses `256MiB`, `2000000rows`, `1GB,10000000rows` or `none`. A size without a unit is bytes; a
 * part left out has no cap. Throws INVALID_INPUT naming the flag.
 */
export function parseResultCap(text: string, field = '--query-max-result'): ResultCapSetting {
  const cap: ResultCapSetting = { maxBytes: Number.POSITIVE_INFINITY, maxRows: Number.POSITIVE_INFINITY };
  const input = text.trim().toLowerCase();
  if (input === 'none' || input === 'unlimited') return cap;
  for (const part of input.split(',').map((p) => p.trim())) {
    const match = /^(\d+)\s*([a-z]*)$/.exec(part);
    const amount = match ? Number(match[1]) : Number.NaN;
    const unit = match?.[2] ?? '';
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      fail('INVALID_INPUT', `${field}: '${part}' is not a positive size (256MiB) or row count (1000000rows)`, {
        field,
      });
    }
    if (unit === 'rows' || unit === 'row') cap.maxRows = amount;
    else if (unit === '' || Object.hasOwn(SIZE_UNITS, unit)) cap.maxBytes = amount * (SIZE_UNITS[unit] ?? 1);
    else
      fail('INVALID_INPUT', `${field}: unknown unit '${unit}' (use B, KB, MB, GB, KiB, MiB, GiB or rows)`, { field });
  }
  return cap;
}
