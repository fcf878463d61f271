import { type Command, Option } from 'commander';
import { CliError } from './cli-error.ts';
import { confirm } from './confirm.ts';
import { clientFrom, type GlobalOptions } from './connection.ts';
import { type Row, renderRows } from './output.ts';

interface UserJson {
  id: string;
  subject: string;
  group: string;
  source: string;
  status: string;
  email?: string;
  displayName?: string;
  createdAt: string;
  updatedAt?: string;
  lastSeenAt?: string;
}

const COLUMNS = ['subject', 'group', 'status', 'email', 'display name', 'last seen', 'source'];

function row(user: UserJson): Row {
  return {
    subject: user.subject,
    group: user.group,
    status: user.status,
    email: user.email ?? '',
    'display name': user.displayName ?? '',
    'last seen': user.lastSeenAt ?? 'never',
    source: user.source,
  };
}

function print(users: UserJson[], format: string): void {
  console.log(format === 'json' ? JSON.stringify(users, null, 2) : renderRows(users.map(row), COLUMNS, 'table'));
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
const path = (subject: string) => `/api/v0/users/${encodeURIComponent(subject)}`;

/** `user list|get|add|update|remove`: the people who sign in, over `/api/v0/users`. */
export function addUserCommands(program: Command, globals: () => GlobalOptions): void {
  const user = program.command('user').description('users who sign in through the identity provider');

  user
    .command('list')
    .description('list users, their group and when they were last seen (Admins and Auditors)')
    .addOption(formatOption())
    .action(async (options: { format: string }) => {
      print(await clientFrom(globals()).json<UserJson[]>('GET', '/api/v0/users'), options.format);
    });

  user
    .command('get')
    .description('show one user')
    .argument('<subject>', "the identity provider's subject")
    .addOption(formatOption())
    .action(async (subject: string, options: { format: string }) => {
      print([await clientFrom(globals()).json<UserJson>('GET', path(subject))], options.format);
    });

  user
    .command('add')
    .description('add a user in a group before they sign in')
    .argument('<subject>', "the identity provider's subject")
    .addOption(new Option('--group <group>', 'admin, member or auditor').makeOptionMandatory())
    .option('--email <email>', 'their email address')
    .option('--display-name <name>', 'the name the audit log shows')
    .option('--disabled', 'add them disabled')
    .addOption(formatOption())
    .action(
      async (
        subject: string,
        options: { group: string; email?: string; displayName?: string; disabled?: boolean; format: string },
      ) => {
        const added = await clientFrom(globals()).json<UserJson>('POST', '/api/v0/users', {
          subject,
          group: options.group,
          ...(options.email === undefined ? {} : { email: options.email }),
          ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
          ...(options.disabled ? { disabled: true } : {}),
        });
        if (options.format === 'json') print([added], 'json');
        else console.log(`User '${added.subject}' added to the group ${added.group}.`);
      },
    );

  user
    .command('update')
    .description("change a user's group, email or display name, or disable or enable them")
    .argument('<subject>', "the identity provider's subject")
    .option('--group <group>', 'admin, member or auditor (the group claim no longer decides)')
    .option('--email <email>', 'their email address ("" to clear)')
    .option('--display-name <name>', 'the name the audit log shows ("" to clear)')
    .option('--disable', 'refuse their sign-ins from the next request on')
    .option('--enable', 'accept their sign-ins again')
    .addOption(formatOption())
    .action(
      async (
        subject: string,
        options: {
          group?: string;
          email?: string;
          displayName?: string;
          disable?: boolean;
          enable?: boolean;
          format: string;
        },
      ) => {
        if (options.disable && options.enable) throw new CliError('give --disable or --enable, not both', 2);
        const patch: Record<string, unknown> = {};
        if (options.group !== undefined) patch.group = options.group;
        if (options.email !== undefined) patch.email = options.email === '' ? null : options.email;
        if (options.displayName !== undefined)
          patch.displayName = options.displayName === '' ? null : options.displayName;
        if (options.disable) patch.disabled = true;
        if (options.enable) patch.disabled = false;
        if (Object.keys(patch).length === 0) {
          throw new CliError('nothing to change: give --group, --email, --display-name, --disable or --enable', 2);
        }
        const updated = await clientFrom(globals()).json<UserJson>('PATCH', path(subject), patch);
        if (options.format === 'json') print([updated], 'json');
        else console.log(`User '${updated.subject}' updated: group ${updated.group}, ${updated.status}.`);
      },
    );

  user
    .command('remove')
    .description('remove users; their live sessions stop working at once')
    .argument('<subject...>', "the identity provider's subjects")
    .option('--force', 'do not ask for confirmation')
    .action(async (subjects: string[], options: { force?: boolean }) => {
      const what = subjects.length === 1 ? `the user '${subjects[0]}'` : `${subjects.length} users`;
      await confirm(`remove ${what} (their sessions stop working at once)`, options.force, '--force');
      const client = clientFrom(globals());
      let failed = 0;
      for (const subject of subjects) {
        try {
          await client.json('DELETE', path(subject));
          console.log(`User '${subject}' removed.`);
        } catch (error) {
          failed++;
          console.error(`Error: ${(error as Error).message}`);
        }
      }
      if (failed > 0) throw new CliError(`${failed} of ${subjects.length} users could not be removed`);
    });
}
