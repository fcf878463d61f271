// A line-protocol writer for the tests, written from the escaping rules independently of the parser.
import type { FieldValue, Point } from '../../../src/storage/lineprotocol/types.ts';

export function escapeMeasurement(name: string): string {
  return name.replace(/[\\, ]/g, (c) => `\\${c}`);
}

export function escapeKey(name: string): string {
  return name.replace(/[\\,= ]/g, (c) => `\\${c}`);
}

export function escapeString(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

export function formatFloat(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export function formatFieldValue(value: FieldValue, booleanSpelling?: string): string {
  switch (value.type) {
    case 'float':
      return formatFloat(value.value);
    case 'integer':
      return `${value.value}i`;
    case 'uinteger':
      return `${value.value}u`;
    case 'string':
      return `"${escapeString(value.value)}"`;
    case 'boolean':
      return booleanSpelling ?? String(value.value);
  }
}

/** Serializes a point; `timestampText` overrides the timestamp (e.g. to write it in another precision). */
export function serializePoint(point: Point, timestampText?: string): string {
  let line = escapeMeasurement(point.measurement);
  for (const [key, value] of point.tags) line += `,${escapeKey(key)}=${escapeKey(value)}`;
  line += ' ';
  line += point.fields.map(([key, value]) => `${escapeKey(key)}=${formatFieldValue(value)}`).join(',');
  const timestamp = timestampText ?? (point.timestampNs === null ? undefined : String(point.timestampNs));
  if (timestamp !== undefined) line += ` ${timestamp}`;
  return line;
}
