import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parseDuration } from '../domain/durations.ts';
import { OPERATOR_TOKEN_NAME, validateName } from '../domain/names.ts';
import { type PermissionSpec, parsePermissionString } from '../domain/permissions.ts';
import { generateToken, inspectToken, tokenHint } from '../domain/token-format.ts';
import { CliError } from './cli-error.ts';
import type { PermissionJson } from './client.ts';
import { confirm } from './confirm.ts';
import { clientFrom, type GlobalOptions } from './connection.ts';
import { printIssuedToken, renderTokens } from './token-output.ts';

interface CreateTokenOptions {
  admin?: boolean;
  name?: string;
  expiry?: string;
  regenerate?: boolean;
  yes?: boolean;
  offline?: boolean;
  outputFile?: string;
  permission?: string[];
  format: string;
}

/** `create token …`: the influxdb3 shape for operator, named admin and database tokens. */
export function addCreateTokenCommand(create: Command, globals: () => GlobalOptions): void {
  create
    .command('token')
    .description('create an admin token (--admin) or a database token (--permission)')
    .option('--admin', 'create an admin token: the operator token _admin, or a named one with --name')
    .option('--name <name>', 'name of the token')
    .option('--expiry <duration>', 'lifetime such as 30d, 12h or 1y (default: never expires)')
    .option('--regenerate', 'give the operator token _admin a new secret; the old one stops working at once')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--offline', 'generate an admin token file for `serve --admin-token-file` without a server')
    .option('--output-file <file>', 'where --offline writes the token file (mode 0600)')
    .option('--permission <permission...>', 'a grant such as db:sensors:read,write or system:health:read (repeatable)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: CreateTokenOptions) => {
      const expirySecs =
        options.expiry === undefined ? undefined : Math.round(parseDuration(options.expiry, '--expiry') / 1000);
      if (options.admin && options.permission !== undefined)
        throw new CliError('--admin and --permission cannot be combined');
      if (options.offline) return writeOfflineToken(options, expirySecs);
      const client = clientFrom(globals());
      if (options.admin) {
        if (options.regenerate) {
          if (options.name !== undefined) {
            throw new CliError(
              '--regenerate cannot be used with --name: --regenerate only applies to the operator token',
            );
          }
          await confirm('Are you sure you want to regenerate the operator token _admin?', options.yes);
          return printIssuedToken(await client.regenerateOperatorToken(), options.format);
        }
        const issued =
          options.name === undefined
            ? await client.createOperatorToken()
            : await client.createAdminToken(options.name, expirySecs);
        return printIssuedToken(issued, options.format);
      }
      if (options.permission === undefined) {
        throw new CliError(
          'missing --admin or --permission: use `create token --admin` or `create token --permission db:NAME:read --name N`',
        );
      }
      if (options.name === undefined) throw new CliError('--name is required for a database token');
      const permissions = options.permission.map((p) => toPermissionJson(parsePermissionString(p, '--permission')));
      printIssuedToken(await client.createDatabaseToken(options.name, permissions, expirySecs), options.format);
    });
}

function toPermissionJson(spec: PermissionSpec): PermissionJson {
  switch (spec.resourceType) {
    case 'admin':
      return { resource_type: '*', resource_names: ['*'], actions: ['*'] };
    case 'system':
      return { resource_type: 'system', resource_names: spec.names === '*' ? ['*'] : spec.names, actions: ['read'] };
    case 'db':
      return { resource_type: 'db', resource_names: spec.names === '*' ? ['*'] : spec.names, actions: spec.actions };
  }
}

/** Writes `{token, name, expiry_millis?}` atomically with mode 0600; the secret goes to the file only. */
function writeOfflineToken(options: CreateTokenOptions, expirySecs: number | undefined): void {
  if (!options.admin) throw new CliError('--offline only creates admin tokens: add --admin');
  if (options.outputFile === undefined) throw new CliError('--offline needs --output-file <file>');
  if (existsSync(options.outputFile))
    throw new CliError(`${options.outputFile} already exists; refusing to overwrite a token file`);
  const name = options.name ?? OPERATOR_TOKEN_NAME;
  if (name !== OPERATOR_TOKEN_NAME) validateName(name, '--name');
  const token = generateToken(name === OPERATOR_TOKEN_NAME ? 'operator' : 'admin');
  const file: Record<string, unknown> = { token, name };
  if (expirySecs !== undefined) file.expiry_millis = Date.now() + expirySecs * 1000;
  const temporary = `${options.outputFile}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, options.outputFile);
  const summary = { name, hint: tokenHint(token), file: options.outputFile };
  console.log(
    options.format === 'json'
      ? JSON.stringify(summary)
      : `Token ${name} (${summary.hint}) written to ${options.outputFile}`,
  );
}

/** `show tokens`: every token without secrets; status, permissions, expiry and last use. */
export function addShowTokensCommand(show: Command, globals: () => GlobalOptions): void {
  show
    .command('tokens')
    .description('list tokens (never their secrets)')
    .option('--include-revoked', 'also list revoked tokens')
    .addOption(
      new Option('--format <format>', 'output format').choices(['pretty', 'json', 'jsonl', 'csv']).default('pretty'),
    )
    .action(async (options: { includeRevoked?: boolean; format: string }) => {
      const tokens = await clientFrom(globals()).listTokens(options.includeRevoked ?? false);
      console.log(renderTokens(tokens, options.format));
    });
}

/** `delete token --token-name N`: revokes it; the next request with it gets 401. */
export function addDeleteTokenCommand(del: Command, globals: () => GlobalOptions): void {
  del
    .command('token')
    .description('revoke a token by name')
    .requiredOption('--token-name <name>', 'name of the token to revoke')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (options: { tokenName: string; yes?: boolean }) => {
      if (options.tokenName === OPERATOR_TOKEN_NAME) {
        throw new CliError(
          'The operator token "_admin" is required and cannot be deleted. To regenerate it, use: fluxgate create token --admin --regenerate',
        );
      }
      await confirm(`Are you sure you want to delete the token '${options.tokenName}'?`, options.yes);
      await clientFrom(globals()).deleteToken(options.tokenName);
      console.log(`Token '${options.tokenName}' deleted.`);
    });
}

/** `token inspect STRING`: offline format and checksum check; never prints the secret. */
export function addTokenInspectCommand(token: Command): void {
  token
    .command('inspect')
    .description('check a token string offline: its kind and whether its checksum is valid')
    .argument('<token>', "the token string, or '-' to read it from stdin")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (value: string, options: { format: string }) => {
      const text = value === '-' ? (await readStdin()).trim() : value;
      const shape = inspectToken(text);
      const report = shape.valid
        ? {
            valid: true,
            kind: shape.kind,
            checksum: shape.kind === 'legacy' ? 'none (InfluxDB 3 legacy format)' : 'valid',
            hint: tokenHint(text),
          }
        : { valid: false, reason: shape.reason };
      console.log(
        options.format === 'json'
          ? JSON.stringify(report)
          : Object.entries(report)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n'),
      );
      if (!shape.valid) process.exitCode = 1;
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
