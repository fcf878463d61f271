// A real InfluxDB 1.x (Debian's `influxdb` package, installed with apt-get when missing) on free
// loopback ports with a throwaway data directory and authentication on. Tests and benchmarks share it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Makes sure `influxd` is on the PATH, installing Debian's package if needed. */
export function ensureInfluxd(): void {
  if (spawnSync('influxd', ['version']).status === 0) return;
  console.log('influxd not found: installing the influxdb package with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', 'influxdb'], { env, stdio: 'inherit' }).status;
  if (install() !== 0) {
    if (spawnSync('apt-get', ['update', '-q'], { env, stdio: 'inherit' }).status !== 0)
      throw new Error('apt-get update failed');
    if (install() !== 0) throw new Error('apt-get install influxdb failed');
  }
  if (spawnSync('influxd', ['version']).status !== 0) throw new Error('influxd is still not runnable after install');
}

type Overrides = Record<string, Record<string, string>>;

/** Rewrites keys of `influxd config`'s output; section '' is the top level. Every key must exist. */
function editConfig(text: string, overrides: Overrides): string {
  const pending = new Set(Object.entries(overrides).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`)));
  let section = '';
  const lines = text.split('\n').map((line) => {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line);
    if (header) {
      section = line.trim().startsWith('[[') ? `[[${header[1]}]]` : header[1]!;
      return line;
    }
    const pair = /^(\s*)([\w-]+)\s*=/.exec(line);
    const value = pair ? overrides[section]?.[pair[2]!] : undefined;
    if (!pair || value === undefined) return line;
    pending.delete(`${section}.${pair[2]}`);
    return `${pair[1]}${pair[2]} = ${value}`;
  });
  if (pending.size > 0) throw new Error(`influxd config has no ${[...pending].join(', ')}`);
  return lines.join('\n');
}

/** One `influxd` with its data directory; stop and start again keep the ports and the data. */
export interface InfluxdProcess {
  url: string;
  /** `<root>/data` and `<root>/wal` hold one directory per database. */
  root: string;
  version: string;
  /** The pid of the running process (-1 when stopped). */
  pid(): number;
  /** The last 20 kB of the process's output. */
  output(): string;
  /** SIGTERM (SIGKILL after 15 s) and wait; idempotent. */
  stop(): Promise<void>;
  /** Starts the process again on the same ports and data directory, once it answers /ping. */
  start(): Promise<void>;
  /** Synchronous last resort for an exiting process. */
  killNow(): void;
  /** Stops the process and removes its files. */
  dispose(): Promise<void>;
}

/** Starts `influxd` (auth on, no admin user yet: the first `CREATE USER … WITH ALL PRIVILEGES` is allowed unauthenticated). */
export async function launchInfluxd(prefix = 'fluxgate-influxdb1-'): Promise<InfluxdProcess> {
  ensureInfluxd();
  const version = spawnSync('influxd', ['version'], { encoding: 'utf8' }).stdout.trim();
  const defaults = spawnSync('influxd', ['config'], { encoding: 'utf8' });
  if (defaults.status !== 0) throw new Error(`influxd config failed: ${defaults.stderr}`);
  const root = mkdtempSync(join(tmpdir(), prefix));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const q = (s: string) => JSON.stringify(s);
  const config = editConfig(defaults.stdout, {
    '': { 'reporting-enabled': 'false', 'bind-address': q(`127.0.0.1:${rpcPort}`) },
    meta: { dir: q(join(root, 'meta')), 'logging-enabled': 'false' },
    data: { dir: q(join(root, 'data')), 'wal-dir': q(join(root, 'wal')), 'query-log-enabled': 'false' },
    monitor: { 'store-enabled': 'false' },
    http: {
      'bind-address': q(`127.0.0.1:${httpPort}`),
      'auth-enabled': 'true',
      'log-enabled': 'false',
      'pprof-enabled': 'false',
    },
    logging: { level: q('warn'), 'suppress-logo': 'true' },
    continuous_queries: { 'log-enabled': 'false' },
  });
  const configFile = join(root, 'influxdb.conf');
  writeFileSync(configFile, config);
  const url = `http://127.0.0.1:${httpPort}`;

  let output = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    if (alive()) return;
    stopping = undefined;
    const spawned = spawn('influxd', ['run', '-config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INFLUXDB_CONFIG_PATH: configFile },
    });
    child = spawned;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    spawned.stdout?.on('data', keep);
    spawned.stderr?.on('data', keep);
    exited = new Promise<void>((resolve) => spawned.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!alive()) throw new Error(`influxd exited before answering /ping:\n${output}`);
      const ping = await fetch(`${url}/ping`).catch(() => undefined);
      await ping?.body?.cancel();
      if (ping?.status === 204) return;
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping within 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const stop = () => {
    stopping ??= (async () => {
      if (!alive()) return;
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const influxd: InfluxdProcess = {
    url,
    root,
    version,
    pid: () => (alive() ? (child?.pid ?? -1) : -1),
    output: () => output,
    stop,
    start,
    killNow: () => {
      if (alive()) child!.kill('SIGKILL');
    },
    dispose: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    await influxd.dispose();
    throw error;
  }
  return influxd;
}

/** An InfluxDB 1.x with its admin user, for tests. */
export interface Influxdb1 extends InfluxdProcess {
  username: string;
  password: string;
  /** Runs InfluxQL as the admin (POST /query); an HTTP or statement error throws. Returns the v1 JSON. */
  query(statement: string, db?: string): Promise<V1QueryBody>;
  /** Writes line protocol as the admin (POST /write, precision ns). */
  write(db: string, lines: string): Promise<void>;
}

export interface V1QueryBody {
  results: Array<{
    statement_id?: number;
    error?: string;
    series?: Array<{ name?: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }>;
  }>;
}

/** Runs one InfluxQL request against a v1 server, failing on an HTTP or statement error. */
export async function v1Query(
  url: string,
  statement: string,
  auth?: { username: string; password: string },
  db?: string,
): Promise<V1QueryBody> {
  const target = new URL('/query', url);
  if (db !== undefined) target.searchParams.set('db', db);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const reply = await fetch(target, { method: 'POST', headers, body: new URLSearchParams({ q: statement }) });
  const text = await reply.text();
  if (reply.status !== 200) throw new Error(`InfluxDB ${statement}: ${reply.status} ${text}`);
  const body = JSON.parse(text) as V1QueryBody;
  const failed = body.results?.find((r) => r.error !== undefined);
  if (failed) throw new Error(`InfluxDB ${statement}: ${failed.error}`);
  return body;
}

/** Starts InfluxDB 1.x with auth on and creates its admin user (a random password) over /query. */
export async function startInfluxdb1(): Promise<Influxdb1> {
  const influxd = await launchInfluxd();
  const username = 'fluxgate_admin';
  const password = randomBytes(18).toString('base64url');
  const auth = { username, password };
  try {
    await v1Query(influxd.url, `CREATE USER ${username} WITH PASSWORD '${password}' WITH ALL PRIVILEGES`);
  } catch (error) {
    await influxd.dispose();
    throw error;
  }
  return {
    ...influxd,
    username,
    password,
    query: (statement, db) => v1Query(influxd.url, statement, auth, db),
    write: async (db, lines) => {
      const target = new URL('/write', influxd.url);
      target.searchParams.set('db', db);
      target.searchParams.set('precision', 'ns');
      const reply = await fetch(target, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
        body: lines,
      });
      const text = await reply.text();
      if (reply.status !== 204) throw new Error(`InfluxDB write to ${db}: ${reply.status} ${text}`);
    },
  };
}
