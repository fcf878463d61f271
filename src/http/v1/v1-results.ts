import type { Series, StatementResult } from '../../influxql/result.ts';
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

/**
 * One series as JSON text, written directly: a result holds tens of thousands of rows, and a
 * JSON.stringify with a replacer over them costs more than the query.
 */
function seriesText(
  series: Series,
  values: unknown[][],
  epoch: Epoch | undefined,
  zone: string | undefined,
  partial: boolean,
): string {
  const timeAt = series.types[0] === 'time' ? 0 : -1;
  let text = `{"name":${JSON.stringify(series.name)}`;
  if (series.tags.length > 0) text += `,"tags":${JSON.stringify(Object.fromEntries(series.tags))}`;
  text += `,"columns":${JSON.stringify(series.columns)},"values":[`;
  // The values after the time go through one native JSON.stringify per row (String() of a double is
  // several times slower); a row holding a bigint or an object is written value by value.
  const rest: unknown[] = [];
  for (let r = 0; r < values.length; r++) {
    const row = values[r]!;
    if (r > 0) text += ',';
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
  text += ']';
  if (partial) text += ',"partial":true';
  return `${text}}`;
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

/** statementJson as compact text, the series written directly. */
function statementText(result: StatementResult, index: number, epoch: Epoch | undefined): string {
  if (result.error !== undefined || result.series.length === 0) return stringify(statementJson(result, index, epoch));
  const series = result.series.map((one) => seriesText(one, one.values, epoch, result.timezone, false));
  return `{"statement_id":${index},"series":[${series.join(',')}]}`;
}

/** `{"results":[{"statement_id":0,"series":[{"name","tags","columns","values"}]}]}`, as InfluxDB 1.x writes it. */
export function v1Json(results: readonly StatementResult[], epoch: Epoch | undefined, pretty: boolean): string {
  if (pretty) {
    return stringify({ results: results.map((result, i) => statementJson(result, i, epoch)) }, 4);
  }
  return `{"results":[${results.map((result, i) => statementText(result, i, epoch)).join(',')}]}`;
}

/**
 * `chunked=true`: one JSON document per line, each holding at most `chunkSize` rows of one series.
 * `partial: true` marks a series continued in the next chunk, and a statement with more chunks.
 */
export function* v1Chunks(
  results: readonly StatementResult[],
  epoch: Epoch | undefined,
  chunkSize: number,
): Generator<string> {
  for (const [index, result] of results.entries()) {
    if (result.error !== undefined || result.series.length === 0) {
      yield `${stringify({ results: [statementJson(result, index, epoch)] })}\n`;
      continue;
    }
    const chunks: Array<{ series: Series; values: unknown[][]; continues: boolean }> = [];
    for (const series of result.series) {
      for (let start = 0; start < series.values.length; start += chunkSize) {
        const values = series.values.slice(start, start + chunkSize);
        chunks.push({ series, values, continues: start + chunkSize < series.values.length });
      }
    }
    for (const [i, chunk] of chunks.entries()) {
      const series = seriesText(chunk.series, chunk.values, epoch, result.timezone, chunk.continues);
      const more = i < chunks.length - 1 ? ',"partial":true' : '';
      yield `{"results":[{"statement_id":${index},"series":[${series}]${more}}]}\n`;
    }
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `Accept: application/csv`: `name,tags,<columns>` once per statement, then a line per row with the
 * series name and its tags as `k=v,k=v`; times are integers (nanoseconds unless `epoch` says).
 * Statements are separated by a blank line; a statement error writes nothing, as in InfluxDB.
 */
export function v1Csv(results: readonly StatementResult[], epoch: Epoch | undefined): string {
  const blocks: string[] = [];
  for (const result of results) {
    if (result.error !== undefined || result.series.length === 0) continue;
    const lines = [`name,tags,${result.series[0]!.columns.map(csvCell).join(',')}`];
    for (const series of result.series) {
      const prefix = `${csvCell(series.name)},${csvCell(series.tags.map(([k, v]) => `${k}=${v}`).join(','))}`;
      const timeAt = series.types[0] === 'time' ? 0 : -1;
      for (const row of series.values) {
        const cells = row.map((value, i) => csvCell(i === timeAt ? timeValue(value, epoch ?? 'ns', undefined) : value));
        lines.push(`${prefix},${cells.join(',')}`);
      }
    }
    blocks.push(`${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}
