/** How times and lists read in tables: RFC3339 in UTC, as the API gives them; `N/A` for none. */

export function formatInstant(iso: string | null | undefined, none = 'N/A'): string {
  if (iso === undefined || iso === null || iso === '') return none;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toISOString().replace('.000Z', 'Z');
}

/** `sensors, + 1 more`, as the Admin UI shows a token's databases. */
export function summarizeList(items: readonly string[], shown = 1): string {
  if (items.length === 0) return 'None';
  const head = items.slice(0, shown).join(', ');
  return items.length > shown ? `${head}, + ${items.length - shown} more` : head;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US').format(n);
}

/** Nanoseconds of retention (0: infinite) as the CLI writes them: `30d`, `12h`, `infinite`. */
export function formatRetention(nanos: number | null | undefined): string {
  if (nanos === undefined || nanos === null || nanos === 0) return 'Infinite';
  const seconds = nanos / 1e9;
  const units: Array<[string, number]> = [
    ['y', 365 * 86_400],
    ['w', 7 * 86_400],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ];
  for (const [unit, size] of units) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
