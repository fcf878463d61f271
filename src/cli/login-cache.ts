import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The session a `fluxgate auth login` obtained, cached per server in `$XDG_CACHE_HOME/fluxgate/`
 * (default `~/.cache/fluxgate/`): the directory is 0700 and each file 0600, as influxctl keeps
 * its own. Only the provider's short-lived access token is kept; never a refresh token.
 */
export interface CachedLogin {
  host: string;
  issuer: string;
  clientId: string;
  accessToken: string;
  /** RFC3339. */
  expiresAt: string;
  subject: string;
  name: string | null;
}

export function loginCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'fluxgate');
}

/** One file per server origin, named by a digest so any URL makes a safe file name. */
export function loginCacheFile(host: string, env: NodeJS.ProcessEnv = process.env): string {
  const origin = new URL(host).origin;
  const digest = createHash('sha256').update(origin).digest('hex').slice(0, 16);
  return join(loginCacheDir(env), `login-${digest}.json`);
}

export function readLogin(host: string, env: NodeJS.ProcessEnv = process.env): CachedLogin | undefined {
  let text: string;
  try {
    text = readFileSync(loginCacheFile(host, env), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const login = JSON.parse(text) as CachedLogin;
    return typeof login.accessToken === 'string' && login.host === new URL(host).origin ? login : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the file whole (a temporary file renamed over it), created 0600 in a 0700 directory. */
export function writeLogin(login: CachedLogin, env: NodeJS.ProcessEnv = process.env): string {
  const dir = loginCacheDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = loginCacheFile(login.host, env);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}

/** Removes the cached login of `host`; true when there was one. */
export function dropLogin(host: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = loginCacheFile(host, env);
  try {
    readFileSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}
