import { type Command, Option } from 'commander';
import { CliError } from './cli-error.ts';
import type { GlobalOptions } from './connection.ts';
import { type ExpiryOptions, expiryBody, listAll, v0From } from './v0-api.ts';
import { addRevokeAndRotate, type V0TokenKind, v0FormatOption } from './v0-token-lifecycle.ts';
import { never, printIssued, printTokens, type V0TokenJson } from './v0-token-output.ts';

const MANAGEMENT_TOKENS: V0TokenKind = { noun: 'management token', resource: '/management-tokens', keeps: 'role' };

const LIST_COLUMNS: Array<[string, (t: V0TokenJson) => string]> = [
  ['id', (t) => t.id],
  ['description', (t) => t.description],
  ['role', (t) => t.role ?? ''],
  ['prefix', (t) => t.tokenPrefix ?? ''],
  ['status', (t) => t.status],
  ['created', (t) => t.createdAt],
  ['expires', (t) => never(t.expiresAt)],
  ['revoked', (t) => t.revokedAt ?? ''],
  ['last used', (t) => never(t.lastUsedAt)],
];

/**
 * `management create|list|revoke|rotate`: influxctl's manual management tokens over
 * `/api/v0/management-tokens`. They manage within their role and never touch data.
 */
export function addManagementCommands(program: Command, globals: () => GlobalOptions): void {
  const management = program.command('management').description('management tokens (for automation; never data)');

  management
    .command('create')
    .description('create a management token; its secret is shown once')
    .option('--description <text>', 'what the token is for (required, not blank)')
    .option('--expires-at <time>', 'RFC3339 time it stops working, e.g. 2027-01-01T00:00:00Z (default: never)')
    .option('--expires-in <duration>', 'lifetime from now, e.g. 7d, 12h, 1y (default: never)')
    .addOption(
      new Option('--role <role>', 'what it may manage (never above your own)')
        .choices(['admin', 'member', 'auditor'])
        .default('admin'),
    )
    .addOption(v0FormatOption())
    .action(async (options: ExpiryOptions & { description?: string; role: string; format: string }) => {
      if (options.description === undefined || options.description.trim() === '')
        throw new CliError('--description is required and must not be blank', 2);
      const body = { description: options.description, role: options.role, ...expiryBody(options) };
      const v0 = v0From(globals());
      printIssued(await v0.client.json<V0TokenJson>('POST', v0.path('/management-tokens'), body), options.format);
    });

  management
    .command('list')
    .description('list management tokens, never their secrets')
    .option('--include-revoked', 'also list revoked tokens')
    .addOption(
      new Option('--sort <field>', 'sort order')
        .choices(['created', 'id', 'description', 'prefix', 'expires', 'revoked', 'last-used'])
        .default('created'),
    )
    .addOption(v0FormatOption())
    .action(async (options: { includeRevoked?: boolean; sort: string; format: string }) => {
      const v0 = v0From(globals());
      const tokens = await listAll<V0TokenJson>(v0, '/management-tokens', {
        includeRevoked: options.includeRevoked ? 'true' : undefined,
        sort: options.sort,
      });
      printTokens(tokens, options.format, LIST_COLUMNS);
    });

  addRevokeAndRotate(management, MANAGEMENT_TOKENS, globals);
}
