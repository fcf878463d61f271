import type { Series, SeriesPart, StatementResult } from '../../influxql/result.ts';
import { formatRfc3339 } from '../../influxql/time-literals.ts';
import { stringifyExact as stringify } from '../../support/exact-json.ts';

/** `epoch=`: integer times in this unit instead of RFC3339 strings. */
export type Epoch = 'ns' | 'u' | 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

const EPOCH_DIVISORS: Readonly<Record<Epoch, bigint>> = {
  ns: 1n,
  u: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

export function parseEpoch(value: string | undefined): Epoch | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  if (value === 'µ' || value === 'us' || value === 'n') return value === 'n' ? 'ns' : 'u';
  return Object.hasOwn(EPOCH_DIVISORS, value) ? (value as Epoch) : 'invalid';
}

function timeValue(ns: unknown, epoch: Epoch | undefined, zone: string | undefined): unknown {
  if (typeof ns !== 'bigint') return ns;
  if (epoch === undefined) return formatRfc3339(ns, zone);
  const value = ns / EPOCH_DIVISORS[epoch];
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}

/** One value as JSON text: bigints as exact digits, as stringifyExact writes them, without its walk. */
function valueText(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    default:
      return value === null ? 'null' : stringify(value);
  }
}

/** Whether every value after the first is one JSON.stringify writes as stringifyExact does. */
function plainAfterTime(row: readonly unknown[]): boolean {
  for (let i = 1; i < row.length; i++) {
    const value = row[i];
    if (value !== null && typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
      if (value !== undefined) return false;
    }
  }
  return true;
}

/** timeValue as JSON text: an integer time is its digits whether or not it fits a double. */
function timeText(ns: unknown, epoch: Epoch | undefined, zone: string | undefined): string {
  if (typeof ns !== 'bigint' || epoch === undefined) return valueText(timeValue(ns, epoch, zone));
  return String(epoch === 'ns' ? ns : ns / EPOCH_DIVISORS[epoch]);
}

/** A series' JSON up to its first row: `{"name":…,"tags":…,"columns":…,"values":[`. */
function seriesHead(series: Series): string {
  let text = `{"name":${JSON.stringify(series.name)}`;
  if (series.tags.length > 0) text += `,"tags":${JSON.stringify(Object.fromEntries(series.tags))}`;
  return `${text},"columns":${JSON.stringify(series.columns)},"values":[`;
}

/**
 * Rows of a series as JSON text, comma-separated (with a leading comma when `continued`), written
 * directly: a result holds tens of thousands of rows, and a JSON.stringify with a replacer over
 * them costs more than the query.
 */
function rowsText(
  series: Series,
  values: readonly unknown[][],
  epoch: Epoch | undefined,
  zone: string | undefined,
  continued: boolean,
): string {
  const timeAt = series.types[0] === 'time' ? 0 : -1;
  let text = '';
  // The values after the time go through one native JSON.stringify per row (String() of a double is
  // several times slower); a row holding a bigint or an object is written value by value.
  const rest: unknown[] = [];
  for (let r = 0; r < values.length; r++) {
    const row = values[r]!;
    if (r > 0 || continued) text += ',';
    if (timeAt === 0 && plainAfterTime(row)) {
      rest.length = row.length - 1;
      for (let i = 1; i < row.length; i++) rest[i - 1] = row[i];
      const tail = rest.length === 0 ? ']' : `,${JSON.stringify(rest).slice(1)}`;
      text += `[${timeText(row[0], epoch, zone)}${tail}`;
      continue;
    }
    let line = '[';
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += ',';
      line += i === timeAt ? timeText(row[i], epoch, zone) : valueText(row[i]);
    }
    text += `${line}]`;
  }
  return text;
}

/** One series (or a chunk of it) as JSON text; `partial` marks a series continued in the next chunk. */
function seriesText(
  series: Series,
  values: readonly unknown[][],
  epoch: Epoch | undefined,
  zone: string | undefined,
  partial: boolean,
): string {
  const text = `${seriesHead(series)}${rowsText(series, values, epoch, zone, false)}]`;
  return partial ? `${text},"partial":true}` : `${text}}`;
}

function seriesJson(
  series: Series,
  values: unknown[][],
  epoch: Epoch | undefined,
  zone: string | undefined,
  partial: boolean,
) {
  const timeAt = series.types[0] === 'time' ? 0 : -1;
  const out: Record<string, unknown> = { name: series.name };
  if (series.tags.length > 0) out.tags = Object.fromEntries(series.tags);
  out.columns = series.columns;
  out.values = values.map((row) =>
    row.map((value, i) => (i === timeAt ? timeValue(value, epoch, zone) : (value ?? null))),
  );
  if (partial) out.partial = true;
  return out;
}

function statementJson(result: StatementResult, index: number, epoch: Epoch | undefined) {
  if (result.error !== undefined) return { statement_id: index, error: result.error };
  if (result.series.length === 0) return { statement_id: index };
  return {
    statement_id: index,
    series: result.series.map((series) => seriesJson(series, series.values, epoch, result.timezone, false)),
  };
}

/**
 * A v1 answer written as its statements stream: `statement` starts one, `part` writes some rows of
 * a series, `endStatement` ends it (with the statement's error, when it failed, after any series
 * already written). Each returns the text to send next.
 */
export interface V1Writer {
  begin(): string;
  statement(index: number, timezone: string | undefined): string;
  part(part: SeriesPart): string;
  endStatement(error?: string): string;
  end(): string;
}

/** `{"results":[{"statement_id":0,"series":[{"name","tags","columns","values"}]}]}`, as InfluxDB 1.x writes it, streamed. */
export function v1JsonWriter(epoch: Epoch | undefined): V1Writer {
  let written = 0;
  let index = 0;
  let zone: string | undefined;
  /** pending: nothing of the statement written; series: between series; rows: inside a series' values. */
  let state: 'pending' | 'series' | 'rows' = 'pending';
  let seriesWritten = 0;
  let rowsWritten = 0;
  return {
    begin: () => '{"results":[',
    statement: (i, timezone) => {
      index = i;
      zone = timezone;
      state = 'pending';
      return '';
    },
    part: (part) => {
      let text = '';
      if (state === 'pending') {
        text += `${written++ > 0 ? ',' : ''}{"statement_id":${index},"series":[`;
        state = 'series';
        seriesWritten = 0;
      }
      if (state === 'series') {
        text += `${seriesWritten++ > 0 ? ',' : ''}${seriesHead(part)}`;
        rowsWritten = 0;
      }
      text += rowsText(part, part.values, epoch, zone, rowsWritten > 0);
      rowsWritten += part.values.length;
      if (part.continues) state = 'rows';
      else {
        text += ']}';
        state = 'series';
      }
      return text;
    },
    endStatement: (error) => {
      if (state === 'pending') {
        const one = error === undefined ? { statement_id: index } : { statement_id: index, error };
        return `${written++ > 0 ? ',' : ''}${stringify(one)}`;
      }
      const open = state === 'rows' ? ']}' : '';
      state = 'pending';
      return error === undefined ? `${open}]}` : `${open}],"error":${JSON.stringify(error)}}`;
    },
    end: () => ']}',
  };
}

/**
 * `chunked=true`: one JSON document per line, each holding at most `chunkSize` rows of one series,
 * as InfluxDB 1.x's emitter cuts them. `partial: true` marks a series continued in the next chunk,
 * and a statement with more chunks. One chunk is held back until the next is known.
 */
export function v1ChunkWriter(epoch: Epoch | undefined, chunkSize: number): V1Writer {
  let index = 0;
  let zone: string | undefined;
  let held: string | undefined;
  let pending: unknown[][] = [];
  const line = (text: string, more: boolean) =>
    `{"results":[{"statement_id":${index},"series":[${text}]${more ? ',"partial":true' : ''}}]}\n`;
  const form = (series: Series, values: unknown[][], continues: boolean): string => {
    const out = held === undefined ? '' : line(held, true);
    held = seriesText(series, values, epoch, zone, continues);
    return out;
  };
  let last: Series | undefined;
  return {
    begin: () => '',
    statement: (i, timezone) => {
      index = i;
      zone = timezone;
      held = undefined;
      pending = [];
      last = undefined;
      return '';
    },
    part: (part) => {
      last = part;
      for (const row of part.values) pending.push(row);
      let out = '';
      let start = 0;
      // A full chunk is cut only when a row after it is in hand: then it certainly continues.
      while (pending.length - start > chunkSize) {
        out += form(part, pending.slice(start, start + chunkSize), true);
        start += chunkSize;
      }
      pending = start === 0 ? pending : pending.slice(start);
      if (!part.continues) {
        out += form(part, pending, false);
        pending = [];
        last = undefined;
      }
      return out;
    },
    endStatement: (error) => {
      let out = '';
      if (last !== undefined && pending.length > 0) out += form(last, pending, true);
      pending = [];
      last = undefined;
      if (held !== undefined) out += line(held, error !== undefined);
      held = undefined;
      if (error !== undefined) return `${out}${stringify({ results: [{ statement_id: index, error }] })}\n`;
      return out === '' ? `${stringify({ results: [{ statement_id: index }] })}\n` : out;
    },
    end: () => '',
  };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `Accept: application/csv`: `name,tags,<columns>` once per statement, then a line per row with the
 * series name and its tags as `k=v,k=v`; times are integers (nanoseconds unless `epoch` says).
 * Statements are separated by a blank line; a statement error writes nothing, as in InfluxDB.
 */
export function v1CsvWriter(epoch: Epoch | undefined): V1Writer {
  let blocks = 0;
  let started = false;
  return {
    begin: () => '',
    statement: () => {
      started = false;
      return '';
    },
    part: (part) => {
      let out = '';
      if (!started) {
        out += `${blocks++ > 0 ? '\n' : ''}name,tags,${part.columns.map(csvCell).join(',')}\n`;
        started = true;
      }
      const prefix = `${csvCell(part.name)},${csvCell(part.tags.map(([k, v]) => `${k}=${v}`).join(','))}`;
      const timeAt = part.types[0] === 'time' ? 0 : -1;
      for (const row of part.values) {
        const cells = row.map((value, i) => csvCell(i === timeAt ? timeValue(value, epoch ?? 'ns', undefined) : value));
        out += `${prefix},${cells.join(',')}\n`;
      }
      return out;
    },
    endStatement: () => '',
    end: () => '',
  };
}

/** Whole results through a writer, each series as one part. */
function written(writer: V1Writer, results: readonly StatementResult[]): string {
  let text = writer.begin();
  for (const [index, result] of results.entries()) {
    text += writer.statement(index, result.timezone);
    if (result.error === undefined)
      for (const series of result.series) text += writer.part({ ...series, continues: false });
    text += writer.endStatement(result.error);
  }
  return text + writer.end();
}

/** `{"results":[{"statement_id":0,"series":[{"name","tags","columns","values"}]}]}`, as InfluxDB 1.x writes it. */
export function v1Json(results: readonly StatementResult[], epoch: Epoch | undefined, pretty: boolean): string {
  if (pretty) {
    return stringify({ results: results.map((result, i) => statementJson(result, i, epoch)) }, 4);
  }
  return written(v1JsonWriter(epoch), results);
}

/** The chunked answer of whole results, line by line (see v1ChunkWriter). */
export function* v1Chunks(
  results: readonly StatementResult[],
  epoch: Epoch | undefined,
  chunkSize: number,
): Generator<string> {
  for (const line of written(v1ChunkWriter(epoch, chunkSize), results).split(/(?<=\n)/)) if (line !== '') yield line;
}

export function v1Csv(results: readonly StatementResult[], epoch: Epoch | undefined): string {
  return written(v1CsvWriter(epoch), results);
}
