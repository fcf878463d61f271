import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { fail } from '../domain/errors.ts';
import { readUpstreamTokenFile, requireUsableToken } from '../server/upstream-token-file.ts';
import { type Influxdb1Credential, parseInfluxdb1Credential } from '../storage/upstream/influxdb1-credential.ts';
import { STORAGE_KINDS, type StorageConfig } from '../storage/upstream/upstream-target.ts';

/**
 * Checked here rather than by commander, whose message would repeat the value: a URL with a
 * credential in it must be refused without printing it.
 */
function upstreamUrl(value: string): string {
  const refuse = (why: string): never => fail('INVALID_INPUT', `--upstream-url ${why}`, { field: 'upstream-url' });
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    refuse('is not a URL such as http://influxdb3:8181');
  }
  const parsed = url as URL;
  if (parsed.username !== '' || parsed.password !== '') refuse('must not carry credentials; use --upstream-token-file');
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') refuse('must be an http:// or https:// URL');
  if (parsed.search !== '' || parsed.hash !== '') refuse('must not have a query or fragment');
  return parsed.href.replace(/\/+$/, '');
}

/** The `serve` flags that choose where the data lives. */
export function addStorageOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--storage <kind>',
        'where the data lives: embedded DuckDB, or an InfluxDB 3 API or InfluxDB 1.x upstream (gateway)',
      )
        .choices([...STORAGE_KINDS])
        .env('FLUXGATE_STORAGE')
        .default('duckdb'),
    )
    .addOption(
      new Option(
        '--upstream-url <url>',
        'with --storage influxdb3|influxdb1: the upstream, e.g. http://influxdb3:8181',
      ).env('FLUXGATE_UPSTREAM_URL'),
    )
    .addOption(
      new Option(
        '--upstream-token-file <file>',
        'the upstream\'s token: the string alone, or InfluxDB 3\'s admin token JSON {"token": …}; for influxdb1, username:password',
      ).env('FLUXGATE_UPSTREAM_TOKEN_FILE'),
    );
}

/** The storage config; the token comes from the file, else FLUXGATE_UPSTREAM_TOKEN (never a flag: argv is visible). */
export function storageConfigFrom(
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): { storage: StorageConfig } {
  const kind = (options.storage as string | undefined) ?? 'duckdb';
  const given = options.upstreamUrl as string | undefined;
  const tokenFile = options.upstreamTokenFile as string | undefined;
  if (kind === 'duckdb') {
    if (given !== undefined || tokenFile !== undefined) {
      fail('INVALID_INPUT', '--upstream-url and --upstream-token-file need --storage influxdb3 or influxdb1', {
        field: 'storage',
      });
    }
    return { storage: { kind: 'duckdb' } };
  }
  if (given === undefined) fail('INVALID_INPUT', `--storage ${kind} needs --upstream-url`, { field: 'upstream-url' });
  const url = upstreamUrl(given);
  const fromEnv = env.FLUXGATE_UPSTREAM_TOKEN?.trim() || undefined;
  if (kind === 'influxdb1') return { storage: { kind, url, credential: influxdb1Credential(tokenFile, fromEnv) } };
  let token: string;
  if (tokenFile !== undefined) token = readUpstreamTokenFile(tokenFile);
  else if (fromEnv !== undefined) token = requireUsableToken(fromEnv, 'FLUXGATE_UPSTREAM_TOKEN');
  else {
    fail(
      'INVALID_INPUT',
      '--storage influxdb3 needs the upstream token: --upstream-token-file or FLUXGATE_UPSTREAM_TOKEN',
      {
        field: 'upstream-token-file',
      },
    );
  }
  return { storage: { kind: 'influxdb3', url, token } };
}

/** `username:password` from the file, else FLUXGATE_UPSTREAM_TOKEN; errors name the source, never its text. */
function influxdb1Credential(tokenFile: string | undefined, fromEnv: string | undefined): Influxdb1Credential {
  const field = { field: 'upstream-token-file' };
  let text: string;
  let source: string;
  if (tokenFile !== undefined) {
    source = `upstream token file ${tokenFile}`;
    try {
      text = readFileSync(tokenFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return fail('INVALID_INPUT', `${source} cannot be read (${reason})`, field);
    }
  } else if (fromEnv !== undefined) {
    source = 'FLUXGATE_UPSTREAM_TOKEN';
    text = fromEnv;
  } else {
    return fail(
      'INVALID_INPUT',
      '--storage influxdb1 needs the upstream user: --upstream-token-file (username:password) or FLUXGATE_UPSTREAM_TOKEN',
      field,
    );
  }
  try {
    return parseInfluxdb1Credential(text, source);
  } catch (error) {
    return fail('INVALID_INPUT', (error as Error).message, field);
  }
}
