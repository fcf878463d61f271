import type { FieldValue, Point } from '../lineprotocol/types.ts';

const MAX_LINE = 256;

/**
 * Line protocol for a point, for `LineError.originalLine`: the parsed line does not carry its
 * source text, so this is an equivalent rendering rather than the exact bytes sent.
 */
export function renderPointLine(point: Point): string {
  const tags = point.tags.map(([key, value]) => `,${escapeKey(key)}=${escapeKey(value)}`).join('');
  const fields = point.fields.map(([key, value]) => `${escapeKey(key)}=${renderField(value)}`).join(',');
  const time = point.timestampNs === null ? '' : ` ${point.timestampNs}`;
  const line = `${point.measurement.replace(/[, \\]/g, '\\$&')}${tags} ${fields}${time}`;
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

function escapeKey(text: string): string {
  return text.replace(/[,= \\]/g, '\\$&');
}

function renderField(field: FieldValue): string {
  switch (field.type) {
    case 'float':
      return String(field.value);
    case 'integer':
      return `${field.value}i`;
    case 'uinteger':
      return `${field.value}u`;
    case 'boolean':
      return field.value ? 'true' : 'false';
    case 'string':
      return `"${field.value.replace(/["\\]/g, '\\$&')}"`;
  }
}
