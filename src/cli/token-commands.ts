import { chmodSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { requireFuture } from '../domain/durations.ts';
import { OPERATOR_TOKEN_NAME, validateName } from '../domain/names.ts';
import { type PermissionSpec, parsePermissionString } from '../domain/permissions.ts';
import { generateToken, inspectToken, LEGACY_PREFIX, TOKEN_PREFIXES, tokenHint } from '../domain/token-format.ts';
import { CliError } from './cli-error.ts';
import type { PermissionJson } from './client.ts';
import { confirm } from './confirm.ts';
import { clientFrom, type GlobalOptions } from './connection.ts';
import { type ExpiryFlag, expiryMillis, parseExpiryFlag, v3Expiry } from './expiry-flag.ts';
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
    .option(
      '--expiry <when>',
      'lifetime such as 30d, 12h or 1y, or a time such as 2027-01-01T00:00:00Z (default: never)',
    )
    .option('--regenerate', 'give the operator token _admin a new secret; the old one stops working at once')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--offline', 'generate an admin token file for `serve --admin-token-file` without a server')
    .option('--output-file <file>', 'where --offline writes the token file (mode 0600)')
    .option('--permission <permission...>', 'a grant such as db:sensors:read,write or system:health:read (repeatable)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: CreateTokenOptions) => {
      const expiry = options.expiry === undefined ? undefined : parseExpiryFlag(options.expiry, '--expiry');
      if (options.admin && options.permission !== undefined)
        throw new CliError('--admin and --permission cannot be combined');
      if (options.offline) return writeOfflineToken(options, expiry);
      const client = clientFrom(globals());
      if (options.admin) {
        if (options.regenerate) {
          if (options.name !== undefined) {
            throw new CliError(
              '--regenerate cannot be used with --name: --regenerate only applies to the operator token',
            );
          }
          await confirm('regenerate the operator token _admin (the old secret stops working at once)', options.yes);
          return printIssuedToken(await client.regenerateOperatorToken(), options.format);
        }
        const issued =
          options.name === undefined
            ? await client.createOperatorToken()
            : await client.createAdminToken(options.name, v3Expiry(expiry));
        return printIssuedToken(issued, options.format);
      }
      if (options.permission === undefined) {
        throw new CliError(
          'missing --admin or --permission: use `create token --admin` or `create token --permission db:NAME:read --name N`',
        );
      }
      if (options.name === undefined) throw new CliError('--name is required for a database token');
      const permissions = options.permission.map((p) => toPermissionJson(parsePermissionString(p, '--permission')));
      printIssuedToken(await client.createDatabaseToken(options.name, permissions, v3Expiry(expiry)), options.format);
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
function writeOfflineToken(options: CreateTokenOptions, expiry: ExpiryFlag | undefined): void {
  if (!options.admin) throw new CliError('--offline only creates admin tokens: add --admin');
  if (options.outputFile === undefined) throw new CliError('--offline needs --output-file <file>');
  if (existsSync(options.outputFile))
    throw new CliError(`${options.outputFile} already exists; refusing to overwrite a token file`);
  const name = options.name ?? OPERATOR_TOKEN_NAME;
  if (name !== OPERATOR_TOKEN_NAME) validateName(name, '--name');
  const token = generateToken(name === OPERATOR_TOKEN_NAME ? 'operator' : 'admin');
  const file: Record<string, unknown> = { token, name };
  if (expiry !== undefined)
    file.expiry_millis = requireFuture(expiryMillis(expiry, Date.now()), Date.now(), '--expiry');
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
      await confirm(`delete the token '${options.tokenName}'`, options.yes);
      await clientFrom(globals()).deleteToken(options.tokenName);
      console.log(`Token '${options.tokenName}' deleted.`);
    });
}

/** `token inspect STRING`: what an offline look can tell about a string (never the secret itself). */
export function addTokenInspectCommand(token: Command): void {
  token
    .command('inspect')
    .description('check a token string offline: its kind, its format and (where it has one) its checksum')
    .argument('<token>', "the token string, or '-' to read it from stdin")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (value: string, options: { format: string }) => {
      const text = value === '-' ? (await readStdin()).trim() : value;
      const report = inspectionReport(text);
      console.log(
        options.format === 'json'
          ? JSON.stringify(report)
          : Object.entries(report)
              .map(([k, v]) => `${k.replace('_', '-')}: ${v === true ? 'yes' : v === false ? 'no' : v}`)
              .join('\n'),
      );
      if (!report.well_formed) process.exitCode = 1;
    });
}

const SERVER_ONLY = 'whether the server knows it, or it was revoked or has expired, only the server can tell';
const PREFIXES = Object.values(TOKEN_PREFIXES).join(', ');

const MALFORMED: Readonly<Record<string, string>> = {
  unknown_prefix: `it does not start with ${PREFIXES} or ${LEGACY_PREFIX}`,
  bad_length: 'it is too short or too long for its prefix',
  bad_characters: 'it holds a character that no token of its kind contains',
  bad_checksum: 'its checksum does not match: a character was changed, added or lost',
};

/**
 * fluxgate tokens carry a checksum, so a typo is caught here; InfluxDB 3's `apiv3_` strings have none,
 * so for them only the prefix and the alphabet can be checked.
 */
function inspectionReport(text: string) {
  const shape = inspectToken(text);
  if (!shape.valid) return { well_formed: false, reason: shape.reason, why: MALFORMED[shape.reason] };
  const legacy = shape.kind === 'legacy';
  return {
    well_formed: true,
    kind: shape.kind,
    checksum: legacy ? 'none' : 'correct',
    hint: tokenHint(text),
    note: legacy
      ? `${LEGACY_PREFIX} strings (InfluxDB 3) have no checksum, so a mistyped one looks like a real one; ${SERVER_ONLY}`
      : `the checksum shows the string is not mistyped; ${SERVER_ONLY}`,
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
