import { Command, CommanderError } from 'commander';
import { isFluxgateError } from '../domain/errors.ts';
import { addAdminCommands } from './admin-commands.ts';
import { addAuditCommands } from './audit-commands.ts';
import { addAuthCommands } from './auth-commands.ts';
import { CliError, oneLine } from './cli-error.ts';
import { ApiError } from './client.ts';
import type { GlobalOptions } from './connection.ts';
import { addQueryCommand, addWriteCommand } from './data-commands.ts';
import { addCreateDatabaseCommand, addDeleteDatabaseCommand, addShowDatabasesCommand } from './database-commands.ts';
import { addInfluxctlDatabaseCommands } from './influxctl-database-commands.ts';
import { addInfluxctlTokenCommands } from './influxctl-token-commands.ts';
import { addInitCommand } from './init-command.ts';
import { addManagementCommands } from './management-commands.ts';
import { addServeCommand } from './serve-command.ts';
import {
  addCreateTokenCommand,
  addDeleteTokenCommand,
  addShowTokensCommand,
  addTokenInspectCommand,
} from './token-commands.ts';
import { addUserCommands } from './user-commands.ts';

const program = new Command('fluxgate')
  .description('fluxgate: a time-series database server with InfluxDB 3 compatible tokens')
  .option('-H, --host <url>', 'server URL (env FLUXGATE_HOST or INFLUXDB3_HOST_URL; default http://127.0.0.1:8181)')
  .option('--token <token>', 'token to authenticate with (env FLUXGATE_TOKEN or INFLUXDB3_AUTH_TOKEN)')
  .option('--profile <name>', 'connection profile of config.toml (env FLUXGATE_PROFILE; default "default")')
  .option('--config <file>', 'config.toml to read profiles from (default: the per-user config directory)')
  .option('--account <id>', "account id for the Dedicated paths (overrides the profile's account_id)")
  .option('--cluster <id>', "cluster id for the Dedicated paths (overrides the profile's cluster_id)")
  .showHelpAfterError()
  .exitOverride();
const globals = () => program.opts<GlobalOptions>();

addServeCommand(program);
const create = program.command('create').description('create tokens and databases');
addCreateTokenCommand(create, globals);
addCreateDatabaseCommand(create, globals);
const show = program.command('show').description('list tokens and databases');
addShowTokensCommand(show, globals);
addShowDatabasesCommand(show, globals);
const del = program.command('delete').description('revoke tokens, delete databases');
addDeleteTokenCommand(del, globals);
addDeleteDatabaseCommand(del, globals);
const token = program.command('token').description('database tokens (influxctl shape) and offline inspection');
addTokenInspectCommand(token);
addInfluxctlTokenCommands(token, globals);
addManagementCommands(program, globals);
addInfluxctlDatabaseCommands(program, globals);
addAuditCommands(program, globals);
addWriteCommand(program, globals);
addQueryCommand(program, globals);
addAdminCommands(program);
addInitCommand(program, globals);
addAuthCommands(program, globals);
addUserCommands(program, globals);

for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)])
  command.exitOverride();

// `fluxgate … | head` closes stdout early: stop quietly instead of dying with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}

/** Every failure is one line on stderr and a non-zero exit code (InfluxDB's CLI exits 0 on failure). */
function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : error.exitCode || 2;
  if (error instanceof CliError) {
    console.error(`Error: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ApiError || isFluxgateError(error)) {
    console.error(`Error: ${oneLine(error.message)}`);
    return 1;
  }
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}
