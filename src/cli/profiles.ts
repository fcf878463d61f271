import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { CliError } from './cli-error.ts';

/**
 * Connection profiles: one `config.toml` with influxctl's `[[profile]]` tables, so a file written for
 * influxctl works here after a copy. An unknown key or a value of the wrong type is an error naming
 * the key and its line (influxctl ≥ 2.0.1 errors on unknown keys too).
 */
export interface TlsSettings {
  insecure?: boolean;
  disable?: boolean;
  cert?: string;
  key?: string;
  ca?: string;
}

/** `[profile.auth.oauth2]`: read and checked here, used by `auth login` (the device flow). */
export interface OAuth2Settings {
  client_id?: string;
  scopes?: string[];
  device_url?: string;
  token_url?: string;
  parameters?: Record<string, string>;
}

export interface Profile {
  name: string;
  product?: string;
  host?: string;
  port?: string;
  database?: string;
  token?: string;
  mgmt_token?: string;
  account_id?: string;
  cluster_id?: string;
  tls?: TlsSettings;
  auth?: { oauth2?: OAuth2Settings };
}

export interface ProfileFile {
  path: string;
  profiles: Profile[];
}

type ValueType = 'string' | 'boolean' | 'string-or-integer' | 'strings' | 'string-table';
interface Shape {
  [key: string]: ValueType | Shape;
}

const PROFILE_SHAPE: Shape = {
  name: 'string',
  product: 'string',
  host: 'string',
  port: 'string-or-integer',
  database: 'string',
  token: 'string',
  mgmt_token: 'string',
  account_id: 'string',
  cluster_id: 'string',
  tls: { insecure: 'boolean', disable: 'boolean', cert: 'string', key: 'string', ca: 'string' },
  auth: {
    oauth2: {
      client_id: 'string',
      scopes: 'strings',
      device_url: 'string',
      token_url: 'string',
      parameters: 'string-table',
    },
  },
};

export const DEFAULT_PROFILE = 'default';

/** The per-OS place of config.toml, as influxctl's with `fluxgate` for `influxctl`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'fluxgate', 'config.toml');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'fluxgate', 'config.toml');
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(base, 'fluxgate', 'config.toml');
}

/** Reads and checks a config file; a file that does not exist has no profiles. */
export function readProfileFile(path: string): ProfileFile {
  if (!existsSync(path)) return { path, profiles: [] };
  const text = readFileSync(path, 'utf8');
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
    throw new CliError(`${path} line ${error.line}: ${reason}`);
  }
  const lines = new KeyLines(text);
  for (const key of Object.keys(document)) {
    if (key !== 'profile')
      throw new CliError(`${path} line ${lines.of([key])}: unknown key '${key}' (expected [[profile]])`);
  }
  const tables = document.profile ?? [];
  if (!Array.isArray(tables))
    throw new CliError(`${path} line ${lines.of(['profile'])}: 'profile' must be [[profile]] tables`);
  const profiles = tables.map((table, i) => {
    check(table as Record<string, unknown>, PROFILE_SHAPE, [], (keyPath, problem) => {
      const shown = keyPath.join('.');
      return new CliError(`${path} line ${lines.of(['profile', i, ...keyPath])}: ${problem.replaceAll('%s', shown)}`);
    });
    const profile = table as Record<string, unknown>;
    if (typeof profile.port === 'number') profile.port = String(profile.port);
    profile.name ??= DEFAULT_PROFILE;
    return profile as unknown as Profile;
  });
  const seen = new Set<string>();
  profiles.forEach((profile, i) => {
    if (seen.has(profile.name)) {
      throw new CliError(`${path} line ${lines.of(['profile', i, 'name'])}: a second profile named '${profile.name}'`);
    }
    seen.add(profile.name);
  });
  return { path, profiles };
}

function check(
  table: Record<string, unknown>,
  shape: Shape,
  at: string[],
  error: (keyPath: string[], problem: string) => CliError,
): void {
  for (const [key, value] of Object.entries(table)) {
    const keyPath = [...at, key];
    const expected = shape[key];
    if (expected === undefined) throw error(keyPath, `unknown key '%s' in [[profile]]`);
    if (typeof expected === 'object') {
      if (!isTable(value)) throw error(keyPath, `'%s' must be a table ([profile.%s])`);
      check(value, expected, keyPath, error);
    } else if (!hasType(value, expected)) {
      throw error(keyPath, `'%s' must be ${DESCRIBED[expected]}`);
    }
  }
}

const DESCRIBED: Record<ValueType, string> = {
  string: 'a string',
  boolean: 'true or false',
  'string-or-integer': 'a string or a whole number',
  strings: 'an array of strings',
  'string-table': 'a table of strings',
};

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function hasType(value: unknown, type: ValueType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'string-or-integer':
      return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'string-table':
      return isTable(value) && Object.values(value).every((v) => typeof v === 'string');
  }
}

/**
 * The line where each key of the file is set, found by following the table headers. Good for the
 * shapes config files take (headers, `key = value`, dotted keys); a key it cannot place gets the line
 * of its table, or of the file's start.
 */
class KeyLines {
  private readonly lines = new Map<string, number>();

  constructor(text: string) {
    let table: Array<string | number> = [];
    const arrays = new Map<string, number>();
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      const lineNumber = index + 1;
      const header = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(line) ?? /^\[\s*([^\]]+?)\s*\]/.exec(line);
      if (header !== null) {
        const parts = splitKey(header[1] ?? '');
        if (line.startsWith('[[')) {
          const name = parts.join('.');
          const next = (arrays.get(name) ?? -1) + 1;
          arrays.set(name, next);
          table = [...parts, next];
        } else {
          // [profile.tls] belongs to the last [[profile]].
          const index = arrays.get(parts[0] ?? '');
          table = index === undefined ? parts : [parts[0] ?? '', index, ...parts.slice(1)];
        }
        this.remember(table, lineNumber);
        return;
      }
      const assignment = /^([A-Za-z0-9_\-."' ]+?)\s*=/.exec(line);
      if (assignment !== null) this.remember([...table, ...splitKey(assignment[1] ?? '')], lineNumber);
    });
  }

  private remember(path: Array<string | number>, line: number): void {
    const key = path.join('.');
    if (!this.lines.has(key)) this.lines.set(key, line);
  }

  of(path: Array<string | number>): number {
    for (let n = path.length; n > 0; n--) {
      const line = this.lines.get(path.slice(0, n).join('.'));
      if (line !== undefined) return line;
    }
    return 1;
  }
}

function splitKey(key: string): string[] {
  return key.split('.').map((part) => part.trim().replace(/^["']|["']$/g, ''));
}

/** The profile to use: `--profile`, else FLUXGATE_PROFILE, else `default` when the file has one. */
export function selectProfile(
  file: ProfileFile,
  requested: string | undefined,
  explicitFile: boolean,
): Profile | undefined {
  if (requested === undefined) {
    if (explicitFile && !existsSync(file.path)) throw new CliError(`there is no config file at ${file.path}`);
    return file.profiles.find((p) => p.name === DEFAULT_PROFILE);
  }
  const profile = file.profiles.find((p) => p.name === requested);
  if (profile !== undefined) return profile;
  if (!existsSync(file.path)) {
    throw new CliError(
      `no profile named '${requested}': there is no config file at ${file.path} (create one with init)`,
    );
  }
  const names = file.profiles.map((p) => p.name);
  throw new CliError(
    `no profile named '${requested}' in ${file.path} (${names.length === 0 ? 'it has none' : `it has ${names.join(', ')}`})`,
  );
}
