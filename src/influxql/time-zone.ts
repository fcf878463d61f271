/** Time zone offsets for `tz()`: bucket boundaries in local time and RFC3339 with the local offset. */

const NS_PER_MS = 1_000_000n;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size < 100) formatters.set(zone, format);
  }
  return format;
}

/** The zone's offset from UTC at an instant, in nanoseconds (east positive): -5 h for Chicago in winter. */
export function zoneOffsetNs(zone: string, instantNs: bigint): bigint {
  const ms = Number(floorDiv(instantNs, NS_PER_MS));
  const wholeSecondMs = ms - (((ms % 1000) + 1000) % 1000);
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(wholeSecondMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year!;
  const local = Date.UTC(year, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  // Date.UTC maps years 0-99 onto 1900-1999; set the year explicitly.
  const localDate = new Date(local);
  localDate.setUTCFullYear(year);
  return BigInt(localDate.getTime() - wholeSecondMs) * NS_PER_MS;
}

/** The instant a wall-clock time in `zone` names (the earlier one when the clock repeats). */
export function localToInstantNs(zone: string, localNs: bigint): bigint {
  let guess = localNs - zoneOffsetNs(zone, localNs);
  for (let i = 0; i < 3; i++) {
    const next = localNs - zoneOffsetNs(zone, guess);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function floorMod(a: bigint, b: bigint): bigint {
  const m = a % b;
  return m < 0n ? m + b : m;
}
