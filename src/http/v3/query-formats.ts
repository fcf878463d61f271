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

/** Rows as objects keyed by column name; a repeated column name keeps its first value, as JSON would. */
function objects(result: QueryResult): Array<Record<string, unknown>> {
  return result.rows.map((row) => {
    const object: Record<string, unknown> = {};
    result.columns.forEach((column, i) => {
      if (!(column.name in object)) object[column.name] = row[i] ?? null;
    });
    return object;
  });
}

export function toJson(result: QueryResult): string {
  return JSON.stringify(objects(result));
}

export function toJsonLines(result: QueryResult): string {
  return objects(result)
    .map((row) => `${JSON.stringify(row)}\n`)
    .join('');
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function toCsv(result: QueryResult): string {
  const cell = (value: unknown) => {
    const t = text(value);
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  const lines = [result.columns.map((c) => cell(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(cell).join(','));
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
