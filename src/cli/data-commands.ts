import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Command, Option } from 'commander';
import { CliError } from './cli-error.ts';
import { ApiError, type FluxgateClient } from './client.ts';
import { clientFrom, type GlobalOptions } from './connection.ts';
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
    .requiredOption('-d, --database <name>', 'database to write to')
    .addOption(
      new Option('--precision <precision>', 'timestamp precision').choices(['ns', 'us', 'ms', 's']).default('ns'),
    )
    .option('-f, --file <file>', 'read line protocol from this file')
    .option('--no-accept-partial', 'reject a whole batch when one of its lines is bad')
    .argument('[data]', "line protocol, a file name, or '-' for stdin")
    .action(
      async (
        data: string | undefined,
        options: { database: string; precision: string; file?: string; acceptPartial: boolean },
      ) => {
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

/** `query`: one SQL statement, printed in the chosen format (parquet needs --output). */
export function addQueryCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('query')
    .description('run a SQL query against one database')
    .requiredOption('-d, --database <name>', 'database to query (_internal for system.tokens)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['pretty', 'json', 'jsonl', 'csv', 'parquet'])
        .default('pretty'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .argument('<sql>', 'the SQL query')
    .action(async (sql: string, options: { database: string; format: string; output?: string }) => {
      if (options.format === 'parquet' && options.output === undefined)
        throw new CliError('--format parquet needs --output <file>');
      const response = await clientFrom(globals(), process.env, 'data').request(
        'POST',
        '/api/v3/query_sql',
        JSON.stringify({ db: options.database, q: sql, format: options.format }),
        { contentType: 'application/json' },
      );
      const bytes = Buffer.from(await response.arrayBuffer());
      if (options.output !== undefined) writeFileSync(options.output, bytes);
      else process.stdout.write(bytes);
    });
}
