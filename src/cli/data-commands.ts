import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { toCsv, toPretty } from '../http/v3/query-formats.ts';
import { stringifyExact } from '../support/exact-json.ts';
import { CliError } from './cli-error.ts';
import { ApiError, type FluxgateClient } from './client.ts';
import { clientFrom, type GlobalOptions, resolveConnection } from './connection.ts';
import { count } from './output.ts';

const BATCH_LINES = 5_000;
const BATCH_BYTES = 4 * 1024 * 1024;

interface LineErrorJson {
  line_number: number;
  error_message: string;
  original_line: string;
}

/** `write`: line protocol from an argument, a file, or `-` for stdin, sent in batches. */
export function addWriteCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('write')
    .description('write line protocol: a string, a file, or - for stdin')
    .option('-d, --database <name>', "database to write to (default: the profile's database)")
    .addOption(
      new Option('--precision <precision>', 'timestamp precision').choices(['ns', 'us', 'ms', 's']).default('ns'),
    )
    .option('-f, --file <file>', 'read line protocol from this file')
    .option('--no-accept-partial', 'reject a whole batch when one of its lines is bad')
    .argument('[data]', "line protocol, a file name, or '-' for stdin")
    .action(
      async (
        data: string | undefined,
        flags: { database?: string; precision: string; file?: string; acceptPartial: boolean },
      ) => {
        const options = { ...flags, database: databaseOf(flags.database, globals()) };
        const source = openSource(data, options.file);
        const client = clientFrom(globals(), process.env, 'data');
        const progress = process.stderr.isTTY
          ? (lines: number) => process.stderr.write(`\rwritten ${count(lines, 'line')}`)
          : () => {};
        const { lines, errors } = await sendBatches(client, source, options, progress);
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (errors.length > 0) {
          for (const e of errors.slice(0, 20))
            console.error(`line ${e.line_number}: ${e.error_message}: ${e.original_line}`);
          if (errors.length > 20) console.error(`… and ${errors.length - 20} more`);
          const verb = errors.length === 1 ? 'was' : 'were';
          throw new CliError(`${errors.length.toLocaleString('en')} of ${count(lines, 'line')} ${verb} rejected`);
        }
        console.log(`wrote ${count(lines, 'line')} to ${options.database}`);
      },
    );
}

/** `--database`, else the profile's `database` (as influxctl's `write` and `query` take it). */
function databaseOf(flag: string | undefined, globals: GlobalOptions): string {
  if (flag !== undefined) return flag;
  const fromProfile = resolveConnection(globals, 'data').database;
  if (fromProfile !== undefined) return fromProfile;
  throw new CliError("no database: give --database NAME (or set database in the profile's [[profile]])", 2);
}

function openSource(data: string | undefined, file: string | undefined): Readable | string {
  if (file !== undefined) return createReadStream(file);
  if (data === undefined) throw new CliError('nothing to write: give line protocol, a file, --file F, or - for stdin');
  if (data === '-') return process.stdin;
  if (!data.includes(' ') && existsSync(data)) return createReadStream(data);
  return data;
}

async function sendBatches(
  client: FluxgateClient,
  source: Readable | string,
  options: { database: string; precision: string; acceptPartial: boolean },
  progress: (lines: number) => void,
): Promise<{ lines: number; errors: LineErrorJson[] }> {
  const errors: LineErrorJson[] = [];
  let batch: string[] = [];
  let batchBytes = 0;
  let batchStart = 1;
  let lines = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const path = `/api/v3/write_lp?db=${encodeURIComponent(options.database)}&precision=${options.precision}&accept_partial=${options.acceptPartial}`;
    try {
      await client.request('POST', path, batch.join('\n'), { contentType: 'text/plain; charset=utf-8' });
    } catch (error) {
      const lineErrors = error instanceof ApiError ? error.data : undefined;
      if (!Array.isArray(lineErrors)) throw error;
      for (const e of lineErrors as LineErrorJson[]) errors.push({ ...e, line_number: e.line_number + batchStart - 1 });
    }
    batchStart += batch.length;
    batch = [];
    batchBytes = 0;
    progress(lines);
  };
  const input =
    typeof source === 'string'
      ? source.split('\n')
      : createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of input) {
    batch.push(line);
    batchBytes += line.length + 1;
    if (line.trim() !== '') lines++;
    if (batch.length >= BATCH_LINES || batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return { lines, errors };
}

/**
 * `query`: one SQL or InfluxQL statement, printed in the chosen format (parquet needs --output). The
 * server formats the answer; with `--time-format unixnano` it comes over Arrow Flight instead, whose
 * types say which columns are times, and is formatted here.
 */
export function addQueryCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('query')
    .description('run a SQL or InfluxQL query against one database')
    .option('-d, --database <name>', "database to query (_internal for system.tokens; default: the profile's database)")
    .addOption(new Option('--language <language>', 'query language').choices(['sql', 'influxql']).default('sql'))
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'pretty', 'json', 'jsonl', 'csv', 'parquet'])
        .default('table'),
    )
    .addOption(
      new Option('--time-format <format>', 'how times print')
        .choices(['rfc3339nano', 'unixnano'])
        .default('rfc3339nano'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .argument('<query>', 'the query')
    .action(async (query: string, flags: Omit<QueryOptions, 'database'> & { database?: string }) => {
      const options: QueryOptions = { ...flags, database: databaseOf(flags.database, globals()) };
      if (options.format === 'parquet' && options.output === undefined)
        throw new CliError('--format parquet needs --output <file>');
      const bytes =
        options.timeFormat === 'unixnano' && options.format !== 'parquet'
          ? await viaFlight(globals(), query, options)
          : await viaHttp(globals(), query, options);
      if (options.output !== undefined) writeFileSync(options.output, bytes);
      else process.stdout.write(bytes);
    });
}

interface QueryOptions {
  database: string;
  language: 'sql' | 'influxql';
  format: string;
  timeFormat: 'rfc3339nano' | 'unixnano';
  output?: string;
}

async function viaHttp(globals: GlobalOptions, query: string, options: QueryOptions): Promise<Buffer> {
  const path = options.language === 'influxql' ? '/api/v3/query_influxql' : '/api/v3/query_sql';
  const format = options.format === 'table' ? 'pretty' : options.format;
  const response = await clientFrom(globals, process.env, 'data').request(
    'POST',
    path,
    JSON.stringify({ db: options.database, q: query, format }),
    { contentType: 'application/json' },
  );
  return Buffer.from(await response.arrayBuffer());
}

async function viaFlight(globals: GlobalOptions, query: string, options: QueryOptions): Promise<Buffer> {
  const connection = resolveConnection(globals, 'data');
  // Loaded here: the other commands need neither gRPC nor Arrow.
  const { flightQuery } = await import('./flight-query.ts');
  const result = await flightQuery(connection, {
    database: options.database,
    sql_query: query,
    query_type: options.language,
  });
  const names = result.columns.map((column) => column.name);
  switch (options.format) {
    case 'json':
      return Buffer.from(stringifyExact(result.rows.map((row) => objectOf(names, row))));
    case 'jsonl':
      return Buffer.from(result.rows.map((row) => `${stringifyExact(objectOf(names, row))}\n`).join(''));
    default: {
      const table = { columns: names.map((name) => ({ name, sqlType: 'VARCHAR' })), rows: result.rows };
      return Buffer.from(options.format === 'csv' ? toCsv(table) : toPretty(table));
    }
  }
}

function objectOf(names: readonly string[], row: readonly unknown[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  names.forEach((name, i) => {
    object[name] = row[i];
  });
  return object;
}
