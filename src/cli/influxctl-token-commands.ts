import { type Command, Option } from 'commander';
import { CliError } from './cli-error.ts';
import type { GlobalOptions } from './connection.ts';
import { databaseOption, inFlagTerms, permissionFlags } from './permission-flags.ts';
import { type ExpiryOptions, expiryBody, listAll, v0From } from './v0-api.ts';
import { addRevokeAndRotate, type V0TokenKind, v0FormatOption, v0TokenPath } from './v0-token-lifecycle.ts';
import { grants, never, printIssued, printTokens, type V0TokenJson } from './v0-token-output.ts';

const DATABASE_TOKENS: V0TokenKind = { noun: 'database token', resource: '/tokens', keeps: 'permissions' };
const tokenPath = (id: string) => v0TokenPath(DATABASE_TOKENS, id);

const LIST_COLUMNS: Array<[string, (t: V0TokenJson) => string]> = [
  ['id', (t) => t.id],
  ['description', (t) => t.description],
  ['status', (t) => t.status],
  ['permissions', grants],
  ['created', (t) => t.createdAt],
  ['expires', (t) => never(t.expiresAt)],
  ['last used', (t) => never(t.lastUsedAt)],
];

const GET_COLUMNS: Array<[string, (t: V0TokenJson) => string]> = [
  ...LIST_COLUMNS.slice(0, 3),
  ['name', (t) => t.name ?? ''],
  ...LIST_COLUMNS.slice(3),
  ['revoked', (t) => t.revokedAt ?? ''],
  ['prefix', (t) => t.tokenPrefix ?? ''],
];

const PERMISSION_FLAGS = { read: '--read-database', write: '--write-database' };
const ADDED_PERMISSION_FLAGS = { read: '--add-read-database', write: '--add-write-database' };

interface UpdateOptions {
  expiresAt?: string;
  expiresIn?: string;
  /** Commander's `--no-expiry`: false when given. */
  expiry?: boolean;
  description?: string;
  readDatabase?: string[];
  writeDatabase?: string[];
  addReadDatabase?: string[];
  addWriteDatabase?: string[];
  removeDatabase?: string[];
  format: string;
}

/**
 * `token create|get|list|update|revoke|rotate`: influxctl's database tokens over `/api/v0/tokens`.
 * Added beside `token inspect` on the same `token` command.
 */
export function addInfluxctlTokenCommands(token: Command, globals: () => GlobalOptions): void {
  token
    .command('create')
    .description('create a database token; its secret is shown once')
    .argument('<description>', 'what the token is for (not blank)')
    .addOption(databaseOption('--read-database', 'a database it may query'))
    .addOption(databaseOption('--write-database', 'a database it may write to'))
    .option('--expires-at <time>', 'RFC3339 time it stops working (default: never)')
    .option('--expires-in <duration>', 'lifetime from now, e.g. 7d, 12h, 1y (default: never)')
    .addOption(v0FormatOption())
    .action(
      async (
        description: string,
        options: ExpiryOptions & { readDatabase?: string[]; writeDatabase?: string[]; format: string },
      ) => {
        if (description.trim() === '') throw new CliError('the description must not be blank', 2);
        const granted = permissionFlags(options.readDatabase, options.writeDatabase, PERMISSION_FLAGS);
        const body = { description, permissions: granted.permissions, ...expiryBody(options) };
        const v0 = v0From(globals());
        const issued = await v0.client
          .json<V0TokenJson>('POST', v0.path('/tokens'), body)
          .catch((error: unknown) => Promise.reject(inFlagTerms(error, { permissions: granted })));
        printIssued(issued, options.format);
      },
    );

  token
    .command('get')
    .description('show one database token (never its secret)')
    .argument('<id>', 'token id')
    .option('--include-revoked', 'show it even if it was revoked')
    .addOption(v0FormatOption())
    .action(async (id: string, options: { includeRevoked?: boolean; format: string }) => {
      const v0 = v0From(globals());
      const query = { includeRevoked: options.includeRevoked ? 'true' : undefined };
      const found = await v0.client.json<V0TokenJson>('GET', v0.path(tokenPath(id), query));
      if (options.format === 'json') printTokens([found], 'json', []);
      else printTokens([found], 'table', GET_COLUMNS);
    });

  token
    .command('list')
    .description('list database tokens: status, permissions, expiry and last use, never secrets')
    .option('--include-revoked', 'also list revoked tokens')
    .addOption(
      new Option('--sort <field>', 'sort order')
        .choices(['id', 'description', 'created', 'expires', 'last-used'])
        .default('id'),
    )
    .addOption(v0FormatOption())
    .action(async (options: { includeRevoked?: boolean; sort: string; format: string }) => {
      const v0 = v0From(globals());
      const tokens = await listAll<V0TokenJson>(v0, '/tokens', {
        includeRevoked: options.includeRevoked ? 'true' : undefined,
        sort: options.sort,
      });
      printTokens(tokens, options.format, LIST_COLUMNS);
    });

  token
    .command('update')
    .description(
      'change a database token: --read/--write-database replace its permissions; --add-… and --remove-database edit them',
    )
    .argument('<id>', 'token id')
    .option('--description <text>', 'a new description')
    .addOption(databaseOption('--read-database', 'replace the permissions: a database it may query'))
    .addOption(databaseOption('--write-database', 'replace the permissions: a database it may write to'))
    .addOption(databaseOption('--add-read-database', 'add read access to a database'))
    .addOption(databaseOption('--add-write-database', 'add write access to a database'))
    .addOption(databaseOption('--remove-database', 'drop every permission on a database'))
    .option('--expires-at <time>', 'a new RFC3339 expiry')
    .option('--expires-in <duration>', 'a new expiry from now, e.g. 30d')
    .option('--no-expiry', 'remove the expiry: it never expires')
    .addOption(v0FormatOption())
    .action(async (id: string, options: UpdateOptions) => {
      const body: Record<string, unknown> = {
        ...expiryBody({
          expiresAt: options.expiresAt,
          expiresIn: options.expiresIn,
          noExpiry: options.expiry === false,
        }),
      };
      if (options.description !== undefined) body.description = options.description;
      const replaced =
        options.readDatabase !== undefined || options.writeDatabase !== undefined
          ? permissionFlags(options.readDatabase, options.writeDatabase, PERMISSION_FLAGS)
          : undefined;
      const added =
        options.addReadDatabase !== undefined || options.addWriteDatabase !== undefined
          ? permissionFlags(options.addReadDatabase, options.addWriteDatabase, ADDED_PERMISSION_FLAGS)
          : undefined;
      if (replaced !== undefined) body.permissions = replaced.permissions;
      if (added !== undefined) body.addPermissions = added.permissions;
      if (options.removeDatabase !== undefined) body.removeDatabases = options.removeDatabase;
      if (Object.keys(body).length === 0) {
        throw new CliError(
          'nothing to change: give --description, --read-database/--write-database, --add-read-database, --add-write-database, --remove-database, --expires-at, --expires-in or --no-expiry',
          2,
        );
      }
      const v0 = v0From(globals());
      const updated = await v0.client
        .json<V0TokenJson>('PATCH', v0.path(tokenPath(id)), body)
        .catch((error: unknown) =>
          Promise.reject(inFlagTerms(error, { permissions: replaced, addPermissions: added })),
        );
      if (options.format === 'json') printTokens([updated], 'json', []);
      else printTokens([updated], 'table', GET_COLUMNS);
    });

  addRevokeAndRotate(token, DATABASE_TOKENS, globals, ['delete']);
}
