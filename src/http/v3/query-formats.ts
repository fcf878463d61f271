import type { QueryResult, ResultColumn } from '../../storage/storage.ts';

export const QUERY_FORMATS = ['json', 'jsonl', 'csv', 'pretty', 'parquet'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** The formats an engine's own JSON lines can be sent in. */
export function isJsonFormat(format: QueryFormat): format is 'json' | 'jsonl' {
  return format === 'json' || format === 'jsonl';
}

export const CONTENT_TYPES: Record<QueryFormat, string> = {
  json: 'application/json',
  jsonl: 'application/jsonl',
  csv: 'text/csv; charset=utf-8',
  pretty: 'text/plain; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * A format written batch by batch: `begin` once, `batch` per batch of rows, then `end`, or
 * `truncated` instead of `end` when the answer stopped early (the cap, the deadline): the
 * truncation marker docs/api.md documents, written after the rows already sent.
 */
export interface FormatEncoder {
  begin(): string;
  batch(rows: readonly unknown[][]): string;
  end(): string;
  truncated(reason: string): string;
}

/** The key of the object that ends a truncated json or jsonl answer. */
export const TRUNCATED_KEY = 'fluxgate_truncated';

export function encoderFor(format: Exclude<QueryFormat, 'parquet'>, columns: readonly ResultColumn[]): FormatEncoder {
  switch (format) {
    case 'json':
      return jsonEncoder(columns);
    case 'jsonl':
      return jsonLinesEncoder(columns);
    case 'csv':
      return csvEncoder(columns);
    case 'pretty':
      return prettyEncoder(columns);
  }
}

/**
 * Rows as objects keyed by column name, for JSON.stringify (faster than assembling the text by hand).
 * A repeated column name keeps its first value, as JSON would.
 */
function objectMaker(columns: readonly ResultColumn[]): (row: readonly unknown[]) => Record<string, unknown> {
  const names: string[] = [];
  const indexes: number[] = [];
  columns.forEach((column, index) => {
    if (names.includes(column.name)) return;
    names.push(column.name);
    indexes.push(index);
  });
  // Assigning `__proto__` would set the prototype instead of adding a key.
  const protoField = names.indexOf('__proto__');
  return (row) => {
    const object: Record<string, unknown> = {};
    for (let field = 0; field < names.length; field++) {
      const value = row[indexes[field]!] ?? null;
      if (field === protoField) Object.defineProperty(object, '__proto__', { value, enumerable: true, writable: true });
      else object[names[field]!] = value;
    }
    return object;
  };
}

function jsonEncoder(columns: readonly ResultColumn[]): FormatEncoder {
  const object = objectMaker(columns);
  let first = true;
  return {
    begin: () => '[',
    batch: (rows) => {
      if (rows.length === 0) return '';
      const text = JSON.stringify(rows.map(object));
      const body = text.slice(1, -1);
      const out = first ? body : `,${body}`;
      first = false;
      return out;
    },
    end: () => ']',
    truncated: (reason) => `${first ? '' : ','}${jsonMarker(reason)}]`,
  };
}

function jsonLinesEncoder(columns: readonly ResultColumn[]): FormatEncoder {
  const object = objectMaker(columns);
  return {
    begin: () => '',
    batch: (rows) => {
      let text = '';
      for (const row of rows) text += `${JSON.stringify(object(row))}\n`;
      return text;
    },
    end: () => '',
    truncated: (reason) => `${jsonMarker(reason)}\n`,
  };
}

/** The object that ends a truncated json or jsonl answer. */
const jsonMarker = (reason: string) => JSON.stringify({ [TRUNCATED_KEY]: reason });

/** FormatEncoder's counterpart for rows the engine already encoded as JSON lines. */
export interface JsonLinesEncoder {
  begin(): string;
  encode(lines: Buffer): Buffer;
  end(): string;
  truncated(reason: string): string;
}

/**
 * JSON lines sent as jsonl (as they are) or as json: the lines joined into one array, each newline
 * turned into the comma between two elements (JSON text holds no newline of its own).
 */
export function jsonLinesEncoderFor(format: 'json' | 'jsonl'): JsonLinesEncoder {
  if (format === 'jsonl') {
    return {
      begin: () => '',
      encode: (lines) => lines,
      end: () => '',
      truncated: (reason) => `${jsonMarker(reason)}\n`,
    };
  }
  let first = true;
  return {
    begin: () => '[',
    encode: (lines) => {
      const lead = first ? 0 : 1;
      first = false;
      const out = Buffer.allocUnsafe(lead + lines.length - 1);
      if (lead === 1) out[0] = COMMA;
      lines.copy(out, lead, 0, lines.length - 1);
      for (let at = out.indexOf(NEWLINE, lead); at >= 0; at = out.indexOf(NEWLINE, at + 1)) out[at] = COMMA;
      return out;
    },
    end: () => ']',
    truncated: (reason) => `${first ? '' : ','}${jsonMarker(reason)}]`,
  };
}

const NEWLINE = 0x0a;
const COMMA = 0x2c;

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

function csvEncoder(columns: readonly ResultColumn[]): FormatEncoder {
  return {
    begin: () => `${columns.map((c) => csvCell(c.name)).join(',')}\n`,
    batch: (rows) => {
      let out = '';
      for (const row of rows) {
        let line = csvCell(row[0]);
        for (let column = 1; column < row.length; column++) line += `,${csvCell(row[column])}`;
        out += `${line}\n`;
      }
      return out;
    },
    end: () => '',
    truncated: (reason) => `#${TRUNCATED_KEY}: ${reason.replace(/[\r\n]/g, ' ')}\n`,
  };
}

/**
 * The bordered table InfluxDB 3 prints for `format=pretty`. Streamed, so the column widths come from
 * the header and the first batch (about 2,048 rows); a longer cell later widens its own line only.
 */
function prettyEncoder(columns: readonly ResultColumn[]): FormatEncoder {
  const header = columns.map((c) => c.name);
  let widths: number[] | undefined;
  let rule = '';
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths![i] ?? 0)).join(' | ')} |`;
  const fix = (body: string[][]) => {
    widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
    rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
    return `${rule}\n${line(header)}\n${rule}\n`;
  };
  return {
    begin: () => '',
    batch: (rows) => {
      const body = rows.map((row) => row.map(text));
      const top = widths === undefined ? fix(body) : '';
      let out = top;
      for (const row of body) out += `${line(row)}\n`;
      return out;
    },
    end: () => `${widths === undefined ? fix([]) : ''}${rule}\n`,
    truncated: (reason) => `${widths === undefined ? fix([]) : ''}${rule}\n(${TRUNCATED_KEY}: ${reason})\n`,
  };
}

function whole(encoder: FormatEncoder, result: QueryResult): string {
  return encoder.begin() + encoder.batch(result.rows) + encoder.end();
}

export function toJson(result: QueryResult): string {
  return whole(jsonEncoder(result.columns), result);
}

export function toJsonLines(result: QueryResult): string {
  return whole(jsonLinesEncoder(result.columns), result);
}

export function toCsv(result: QueryResult): string {
  return whole(csvEncoder(result.columns), result);
}

export function toPretty(result: QueryResult): string {
  return whole(prettyEncoder(result.columns), result);
}
