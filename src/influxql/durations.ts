/** InfluxQL duration literals (`10s`, `1h30m`, `5ms`, `1u`, `1µ`, `3d`, `1w`) in nanoseconds. */

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  u: 1_000n,
  µ: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

const MAX_NS = 2n ** 63n - 1n;

/** The nanoseconds of a duration literal, or undefined when it is not one. */
export function parseDurationNs(text: string): bigint | undefined {
  const part = /(\d+)(ns|ms|u|µ|s|m|h|d|w)/y;
  let total = 0n;
  let index = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (match === null) return undefined;
    total += BigInt(match[1]!) * UNIT_NS[match[2]!]!;
    index = part.lastIndex;
  }
  if (index === 0 || total > MAX_NS) return undefined;
  return total;
}

/** Go's `time.Duration` text (`168h0m0s`, `1m30s`, `0s`), which InfluxDB prints for retention policies. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  let rest = ns < 0n ? -ns : ns;
  if (rest < 1_000_000_000n) {
    if (rest < 1_000n) return `${sign}${rest}ns`;
    if (rest < 1_000_000n) return `${sign}${trimFraction(rest, 1_000n)}µs`;
    return `${sign}${trimFraction(rest, 1_000_000n)}ms`;
  }
  const hours = rest / 3_600_000_000_000n;
  rest %= 3_600_000_000_000n;
  const minutes = rest / 60_000_000_000n;
  rest %= 60_000_000_000n;
  const seconds = trimFraction(rest, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const fraction = value % unit;
  if (fraction === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
}
