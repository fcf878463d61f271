import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'smol-toml';
import { Asker } from './ask.ts';
import { confirm } from './confirm.ts';
import { DEFAULT_HOST, type GlobalOptions } from './connection.ts';
import { DEFAULT_PROFILE, defaultConfigPath, type Profile, readProfileFile } from './profiles.ts';

interface InitOptions {
  port?: string;
  database?: string;
  mgmtToken?: string;
  accountId?: string;
  clusterId?: string;
  force?: boolean;
  yes?: boolean;
}

/**
 * `init`: writes one `[[profile]]` of config.toml (mode 0600, its directory 0700 when created here).
 * On a terminal it asks for what the flags did not give; otherwise it takes the flags alone. Other
 * profiles in the file are kept; replacing an existing one asks first (`--force`/`--yes` skip that).
 */
export function addInitCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('write a connection profile to config.toml (asks on a terminal, takes flags otherwise)')
    .option('--database <name>', 'default database for write and query')
    .option('--mgmt-token <token>', 'management token for management commands (token, database, audit, …)')
    .option('--port <port>', 'port, when --host is a bare host name')
    .option('--account-id <id>', 'account id (Dedicated path style)')
    .option('--cluster-id <id>', 'cluster id (Dedicated path style)')
    .option('--force', 'replace an existing profile of that name without asking')
    .option('-y, --yes', 'the same as --force')
    .addHelpText(
      'after',
      '\nThe global --host and --token give the host and the database token; --profile the name (default "default").',
    )
    .action(async (options: InitOptions) => {
      const global = globals();
      const path = global.config ?? defaultConfigPath();
      const name = global.profile ?? process.env.FLUXGATE_PROFILE ?? DEFAULT_PROFILE;
      const file = readProfileFile(path);
      const existing = file.profiles.find((p) => p.name === name);
      if (existing !== undefined)
        await confirm(`replace the profile '${name}' in ${path}`, options.force || options.yes, '--force');
      let profile: Profile = pruned({
        ...existing,
        name,
        host: global.host ?? existing?.host,
        port: options.port ?? existing?.port,
        database: options.database ?? existing?.database,
        token: global.token ?? existing?.token,
        mgmt_token: options.mgmtToken ?? existing?.mgmt_token,
        account_id: options.accountId ?? existing?.account_id,
        cluster_id: options.clusterId ?? existing?.cluster_id,
      });
      if (process.stdin.isTTY) profile = await ask(profile, { ...options, host: global.host, token: global.token });
      const profiles =
        existing === undefined ? [...file.profiles, profile] : file.profiles.map((p) => (p === existing ? profile : p));
      writePrivately(path, `${stringify({ profile: profiles })}\n`);
      console.log(`Profile '${name}' ${existing === undefined ? 'written to' : 'replaced in'} ${path} (mode 0600).`);
    });
}

/** Asks for each of host, database, management token and token that no flag gave. */
async function ask(profile: Profile, given: InitOptions & { host?: string; token?: string }): Promise<Profile> {
  const asker = new Asker();
  try {
    const next = { ...profile };
    if (given.host === undefined) next.host = await asker.question('Host', profile.host ?? DEFAULT_HOST);
    if (given.database === undefined) next.database = await asker.question('Default database', profile.database);
    if (given.mgmtToken === undefined)
      next.mgmt_token = await asker.question('Management token', profile.mgmt_token, { secret: true });
    if (given.token === undefined)
      next.token = await asker.question('Database token (write, query)', profile.token, { secret: true });
    return pruned(next);
  } finally {
    asker.close();
  }
}

function pruned(profile: Profile): Profile {
  return Object.fromEntries(
    Object.entries(profile).filter(([, value]) => value !== undefined && value !== ''),
  ) as unknown as Profile;
}

/** Atomically, through a private temporary file: the secrets are never readable by others, not for a moment. */
function writePrivately(path: string, text: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
