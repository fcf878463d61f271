import { type Command, Option } from 'commander';
import { parseDuration } from '../domain/durations.ts';
import { validateDatabaseName } from '../domain/names.ts';
import { confirm } from './confirm.ts';
import { clientFrom, type GlobalOptions } from './connection.ts';
import { renderRows } from './output.ts';

/** `create database NAME [--retention-period 30d]`. */
export function addCreateDatabaseCommand(create: Command, globals: () => GlobalOptions): void {
  create
    .command('database')
    .description('create a database')
    .argument('<name>', 'database name')
    .option('--retention-period <duration>', 'remove data older than this, e.g. 30d')
    .action(async (name: string, options: { retentionPeriod?: string }) => {
      validateDatabaseName(name, 'database name');
      if (options.retentionPeriod !== undefined) parseDuration(options.retentionPeriod, '--retention-period');
      const db = await clientFrom(globals()).createDatabase(name, options.retentionPeriod);
      console.log(`Database '${db['iox::database']}' created (id ${db.id}).`);
    });
}

export function addShowDatabasesCommand(show: Command, globals: () => GlobalOptions): void {
  show
    .command('databases')
    .description('list the databases this token can see')
    .addOption(
      new Option('--format <format>', 'output format').choices(['pretty', 'json', 'jsonl', 'csv']).default('pretty'),
    )
    .action(async (options: { format: string }) => {
      const rows = (await clientFrom(globals()).listDatabases()).map((db) => ({
        'iox::database': db['iox::database'],
        id: db.id,
        created_at: db.created_at,
        retention_period_ms: db.retention_period_ms,
      }));
      console.log(renderRows(rows, ['iox::database', 'id', 'created_at', 'retention_period_ms'], options.format));
    });
}

export function addDeleteDatabaseCommand(del: Command, globals: () => GlobalOptions): void {
  del
    .command('database')
    .description('delete a database (undelete brings it back within the recovery window)')
    .argument('<name>', 'database name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (name: string, options: { yes?: boolean }) => {
      await confirm(
        `delete the database '${name}' (its data is kept for the recovery window, then removed)`,
        options.yes,
      );
      await clientFrom(globals()).deleteDatabase(name);
      console.log(`Database '${name}' deleted.`);
    });
}
