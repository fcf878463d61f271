import type { FieldValue, ParsedLine } from '../lineprotocol/types.ts';

const escapeMeasurement = (text: string) => text.replace(/[\\, ]/g, (c) => `\\${c}`);
const escapeKey = (text: string) => text.replace(/[\\,= ]/g, (c) => `\\${c}`);
const escapeString = (text: string) => text.replace(/[\\"]/g, (c) => `\\${c}`);

function fieldText(field: FieldValue): string {
  switch (field.type) {
    case 'float':
      // Integral floats keep their type: `1` alone would read back as a float anyway, but be explicit.
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
  let text = '';
  for (const { point } of points) {
    let line = escapeMeasurement(point.measurement);
    for (const [key, value] of point.tags) line += `,${escapeKey(key)}=${escapeKey(value)}`;
    let separator = ' ';
    for (const [key, value] of point.fields) {
      line += `${separator}${escapeKey(key)}=${fieldText(value)}`;
      separator = ',';
    }
    text += `${line} ${point.timestampNs ?? defaultTimeNs}\n`;
  }
  return text;
}
