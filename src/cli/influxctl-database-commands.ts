import { type Command, Option } from 'commander';
import { parseRetentionPeriod } from '../domain/durations.ts';
import { CliError } from './cli-error.ts';
import { confirm } from './confirm.ts';
import type { GlobalOptions } from './connection.ts';
import { renderRows } from './output.ts';
import { forEachArgument, listAll, type V0, v0From } from './v0-api.ts';

/** A database as `/api/v0/databases` answers it. */
export interface V0DatabaseJson {
  id: number;
  name: string;
  maxTables: number;
  maxColumnsPerTable: number;
  /** Nanoseconds; 0 is infinite. */
  retentionPeriod: number;
  status: string;
  createdAt?: string;
  deletedAt?: string;
  purgeAt?: string;
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
const dbPath = (name: string) => `/databases/${encodeURIComponent(name)}`;

const NS_PER: Array<[string, bigint]> = [
  ['d', 86_400_000_000_000n],
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
  ['s', 1_000_000_000n],
];

/** `30d`, `1d12h`, `infinite`: nanoseconds as the CLI's own retention syntax. */
export function retentionText(ns: number): string {
  if (!ns) return 'infinite';
  let rest = BigInt(Math.round(ns));
  let text = '';
  for (const [unit, size] of NS_PER) {
    if (rest >= size) {
      text += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return text === '' ? `${ns}ns` : text;
}

function print(databases: V0DatabaseJson[], format: string, deleted = false): void {
  if (format === 'json') {
    console.log(JSON.stringify(databases, null, 2));
    return;
  }
  const rows = databases.map((db) => ({
    id: db.id,
    name: db.name,
    'retention period': retentionText(db.retentionPeriod),
    'max tables': db.maxTables,
    'max columns per table': db.maxColumnsPerTable,
    status: db.status,
    ...(deleted ? { deleted: db.deletedAt ?? '', 'recoverable until': db.purgeAt ?? '' } : {}),
  }));
  const columns = ['id', 'name', 'retention period', 'max tables', 'max columns per table', 'status'];
  if (deleted) columns.push('deleted', 'recoverable until');
  console.log(renderRows(rows, columns, 'table'));
}

const positiveInteger = (flag: string) => (value: string) => {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new CliError(`${flag}: '${value}' is not a whole number (0 means the default)`, 2);
  return Number(value);
};

interface LimitOptions {
  retentionPeriod?: string;
  maxTables?: number;
  maxColumns?: number;
}

/** The limits of a create or update body; a bad retention period is refused here, naming the flag. */
function limitsBody(options: LimitOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.retentionPeriod !== undefined) {
    parseRetentionPeriod(options.retentionPeriod, '--retention-period');
    body.retentionPeriod = options.retentionPeriod;
  }
  if (options.maxTables !== undefined) body.maxTables = options.maxTables;
  if (options.maxColumns !== undefined) body.maxColumnsPerTable = options.maxColumns;
  return body;
}

const limitOptions = (command: Command) =>
  command
    .option('--retention-period <period>', 'keep data this long: 30d, 2.5d, 1mo, 30d12h; 0s is infinite')
    .addOption(
      new Option('--max-tables <n>', 'most tables (default 500; 0 is the default)').argParser(
        positiveInteger('--max-tables'),
      ),
    )
    .addOption(
      new Option('--max-columns <n>', 'most columns per table (default 250; 0 is the default)').argParser(
        positiveInteger('--max-columns'),
      ),
    );

/** The id of the deleted database `name` (the most recently deleted one if there are several). */
async function deletedId(v0: V0, name: string): Promise<number> {
  const deleted = (await listAll<V0DatabaseJson>(v0, '/databases', { filterStatus: 'deleted' })).filter(
    (db) => db.name === name,
  );
  if (deleted.length === 0)
    throw new CliError(`there is no deleted database named '${name}' (or its recovery window has passed)`);
  deleted.sort((a, b) => (b.deletedAt ?? '').localeCompare(a.deletedAt ?? ''));
  return (deleted[0] as V0DatabaseJson).id;
}

/** `database create|list|update|delete|rename|undelete`: influxctl's shape over `/api/v0/databases`. */
export function addInfluxctlDatabaseCommands(program: Command, globals: () => GlobalOptions): void {
  const database = program.command('database').description('databases (influxctl shape)');

  limitOptions(database.command('create').description('create a database').argument('<name>', 'database name'))
    .addOption(formatOption())
    .action(async (name: string, options: LimitOptions & { format: string }) => {
      const v0 = v0From(globals());
      const body = { name, ...limitsBody(options) };
      const created = await v0.client.json<V0DatabaseJson>('POST', v0.path('/databases'), body);
      if (options.format === 'json') print([created], 'json');
      else console.log(`Database '${created.name}' created (id ${created.id}).`);
    });

  database
    .command('list')
    .description('list databases (deleted ones within their recovery window with --filter-status deleted)')
    .addOption(
      new Option('--filter-status <status>', 'which databases').choices(['active', 'deleted']).default('active'),
    )
    .addOption(formatOption())
    .action(async (options: { filterStatus: string; format: string }) => {
      const v0 = v0From(globals());
      const databases = await listAll<V0DatabaseJson>(v0, '/databases', { filterStatus: options.filterStatus });
      print(databases, options.format, options.filterStatus === 'deleted');
    });

  limitOptions(database.command('update').description("change a database's limits").argument('<name>', 'database name'))
    .addOption(formatOption())
    .action(async (name: string, options: LimitOptions & { format: string }) => {
      const body = limitsBody(options);
      if (Object.keys(body).length === 0)
        throw new CliError('nothing to change: give --retention-period, --max-tables or --max-columns', 2);
      const v0 = v0From(globals());
      const updated = await v0.client.json<V0DatabaseJson>('PATCH', v0.path(dbPath(name)), body);
      if (options.format === 'json') print([updated], 'json');
      else
        console.log(
          `Database '${updated.name}' updated: retention ${retentionText(updated.retentionPeriod)}, ` +
            `max tables ${updated.maxTables}, max columns per table ${updated.maxColumnsPerTable}.`,
        );
    });

  database
    .command('delete')
    .description('delete databases: they stop answering at once and can be undeleted within the recovery window')
    .argument('<name...>', 'database names')
    .option('--force', 'do not ask for confirmation')
    .action(async (names: string[], options: { force?: boolean }) => {
      const what = names.length === 1 ? `the database '${names[0]}'` : `${names.length} databases`;
      await confirm(`delete ${what} (writes and queries stop at once)`, options.force, '--force');
      const v0 = v0From(globals());
      await forEachArgument(names, 'deletions', async (name) => {
        await v0.client.json('DELETE', v0.path(dbPath(name)));
        console.log(`Database '${name}' deleted; \`fluxgate database undelete ${name}\` brings it back.`);
      });
    });

  database
    .command('rename')
    .description('rename a database: same id, same data, tokens keep their access')
    .argument('<old>', 'current name')
    .argument('<new>', 'new name')
    .action(async (from: string, to: string) => {
      const v0 = v0From(globals());
      const renamed = await v0.client.json<V0DatabaseJson>('PUT', v0.path(`${dbPath(from)}/rename`), { name: to });
      console.log(`Database '${from}' renamed to '${renamed.name}' (id ${renamed.id}).`);
    });

  database
    .command('undelete')
    .description('bring back a deleted database with its data and grants, within the recovery window')
    .argument('<name>', 'the deleted database')
    .addOption(formatOption())
    .action(async (name: string, options: { format: string }) => {
      const v0 = v0From(globals());
      const id = await deletedId(v0, name);
      const restored = await v0.client.json<V0DatabaseJson>('PUT', v0.path(`/databases/${id}/undelete`));
      if (options.format === 'json') print([restored], 'json');
      else console.log(`Database '${restored.name}' undeleted (id ${restored.id}).`);
    });
}
