import type { FieldValue, ParsedLine } from '../lineprotocol/types.ts';

// Most names need no escape: test first (cheap), replace only when needed; the names repeat, so remember them.
const MEASUREMENT_SPECIAL = /[\\, ]/;
const KEY_SPECIAL = /[\\,= ]/;
const escapeMeasurement = (text: string) =>
  MEASUREMENT_SPECIAL.test(text) ? text.replace(/[\\, ]/g, (c) => `\\${c}`) : text;
const keys = new Map<string, string>();
function escapeKey(text: string): string {
  let escaped = keys.get(text);
  if (escaped === undefined) {
    escaped = KEY_SPECIAL.test(text) ? text.replace(/[\\,= ]/g, (c) => `\\${c}`) : text;
    if (keys.size >= 10_000) keys.clear();
    keys.set(text, escaped);
  }
  return escaped;
}
const escapeString = (text: string) => (/[\\"]/.test(text) ? text.replace(/[\\"]/g, (c) => `\\${c}`) : text);

function fieldText(field: FieldValue): string {
  switch (field.type) {
    case 'float':
      // A float without a suffix reads back as a float, integral or not (`1`, `1e+300`).
      return Number.isFinite(field.value) ? String(field.value) : 'NaN';
    case 'integer':
      return `${field.value}i`;
    case 'uinteger':
      return `${field.value}u`;
    case 'string':
      return `"${escapeString(field.value)}"`;
    case 'boolean':
      return field.value ? 'true' : 'false';
  }
}

/**
 * Points as line protocol at nanosecond precision, one line per point in the order given, every
 * point stamped (those without a time get `defaultTimeNs`), so the upstream stores exactly what we parsed.
 */
export function lineProtocolText(points: readonly ParsedLine[], defaultTimeNs: bigint): string {
  const lines: string[] = new Array(points.length);
  let at = 0;
  for (const { point } of points) {
    let line = escapeMeasurement(point.measurement);
    for (const [key, value] of point.tags) line += `,${escapeKey(key)}=${escapeKey(value)}`;
    let separator = ' ';
    for (const [key, value] of point.fields) {
      line += `${separator}${escapeKey(key)}=${fieldText(value)}`;
      separator = ',';
    }
    lines[at++] = `${line} ${point.timestampNs ?? defaultTimeNs}`;
  }
  return `${lines.join('\n')}\n`;
}
