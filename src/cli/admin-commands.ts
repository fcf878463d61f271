import { resolve } from 'node:path';
import type { Command } from 'commander';
import { confirm } from './confirm.ts';
import { printIssuedToken } from './token-output.ts';

/**
 * `admin recover`: regenerates the operator token straight in the catalog, for someone who has the
 * server's files but lost every admin token (InfluxDB lists this as future functionality).
 * A running server notices through the catalog change feed within its poll interval.
 */
export function addAdminCommands(program: Command): void {
  const admin = program.command('admin').description('offline administration with direct access to the catalog');
  admin
    .command('recover')
    .description("regenerate (or create) the operator token _admin in a stopped server's catalog")
    .option('--data-dir <dir>', 'the server data directory', process.env.FLUXGATE_DATA_DIR ?? './data')
    .option(
      '--catalog <catalog>',
      'a postgres:// URL or SQLite file (default: <data-dir>/catalog.sqlite)',
      process.env.FLUXGATE_CATALOG,
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--format <format>', 'text or json', 'text')
    .action(async (options: { dataDir: string; catalog?: string; yes?: boolean; format: string }) => {
      const { existingCatalog, recoverOffline } = await import('./offline-recovery.ts');
      const catalog = await existingCatalog(options.catalog, resolve(options.dataDir));
      await confirm(
        'replace the secret of the operator token _admin (the old secret stops working at once)',
        options.yes,
      );
      printIssuedToken(await recoverOffline(catalog), options.format);
    });
}
