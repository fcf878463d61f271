import Table from 'cli-table3';

export type Row = Record<string, string | number | boolean | null>;

/** Prints rows as an aligned table (no colours: output is read by people and by scripts alike). */
export function renderTable(rows: Row[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const row of rows)
    table.push(columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))));
  return table.toString();
}

export function renderCsv(rows: Row[], columns: string[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\n');
}

export function renderRows(rows: Row[], columns: string[], format: string): string {
  switch (format) {
    case 'json':
      return JSON.stringify(rows, null, 2);
    case 'jsonl':
      return rows.map((row) => JSON.stringify(row)).join('\n');
    case 'csv':
      return renderCsv(rows, columns);
    default:
      return renderTable(rows, columns);
  }
}

/** `1 line`, `12,345 lines`: a count with its noun, in the plural when it is not one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? noun : plural}`;
}
