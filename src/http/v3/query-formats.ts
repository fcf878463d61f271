import type { QueryResult } from '../../storage/storage.ts';

export const QUERY_FORMATS = ['json', 'jsonl', 'csv', 'pretty', 'parquet'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

export const CONTENT_TYPES: Record<QueryFormat, string> = {
  json: 'application/json',
  jsonl: 'application/jsonl',
  csv: 'text/csv; charset=utf-8',
  pretty: 'text/plain; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * Rows as objects keyed by column name, for JSON.stringify (faster than assembling the text by hand).
 * A repeated column name keeps its first value, as JSON would.
 */
function objects(result: QueryResult): Array<Record<string, unknown>> {
  const names: string[] = [];
  const indexes: number[] = [];
  result.columns.forEach((column, index) => {
    if (names.includes(column.name)) return;
    names.push(column.name);
    indexes.push(index);
  });
  // Assigning `__proto__` would set the prototype instead of adding a key.
  const protoField = names.indexOf('__proto__');
  return result.rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let field = 0; field < names.length; field++) {
      const value = row[indexes[field]!] ?? null;
      if (field === protoField) Object.defineProperty(object, '__proto__', { value, enumerable: true, writable: true });
      else object[names[field]!] = value;
    }
    return object;
  });
}

export function toJson(result: QueryResult): string {
  return JSON.stringify(objects(result));
}

export function toJsonLines(result: QueryResult): string {
  let text = '';
  for (const object of objects(result)) text += `${JSON.stringify(object)}\n`;
  return text;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const CSV_SPECIAL = /[",\n\r]/;

function csvCell(value: unknown): string {
  // A number's text never needs quoting; skip the test on the commonest cell.
  if (typeof value === 'number') return String(value);
  const cell = text(value);
  return CSV_SPECIAL.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function toCsv(result: QueryResult): string {
  const lines = [result.columns.map((c) => csvCell(c.name)).join(',')];
  for (const row of result.rows) {
    let line = csvCell(row[0]);
    for (let column = 1; column < row.length; column++) line += `,${csvCell(row[column])}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** The bordered table InfluxDB 3 prints for `format=pretty`. */
export function toPretty(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((row) => row.map(text));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return `${[rule, line(header), rule, ...body.map(line), rule].join('\n')}\n`;
}
