// InfluxDB 1.x as a benchmark peer: installed with apt when missing, run on free loopback ports
// with a throwaway data directory and authentication on, stopped (and its files removed) on dispose.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/free-port.ts';
import { basicAuth, keepAliveAgent, request } from './keep-alive-http.ts';

export interface InfluxPeer {
  url: string;
  pid: number;
  /** `<root>/data` and `<root>/wal` hold one directory per database. */
  root: string;
  version: string;
  /** Runs one InfluxQL statement (POST /query), failing on an HTTP or statement error. */
  query(q: string, auth?: { user: string; password: string }, db?: string): Promise<unknown>;
  output(): string;
  /** SIGTERM (SIGKILL after 15 s) and wait; idempotent. */
  stop(): Promise<void>;
  /** Synchronous last resort for an exiting process. */
  killNow(): void;
  dispose(): Promise<void>;
}

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

export async function startInfluxPeer(): Promise<InfluxPeer> {
  ensureInfluxd();
  const version = spawnSync('influxd', ['version'], { encoding: 'utf8' }).stdout.trim();
  const defaults = spawnSync('influxd', ['config'], { encoding: 'utf8' });
  if (defaults.status !== 0) throw new Error(`influxd config failed: ${defaults.stderr}`);
  const root = mkdtempSync(join(tmpdir(), 'fluxgate-bench-influxdb-'));
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

  const child: ChildProcess = spawn('influxd', ['run', '-config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INFLUXDB_CONFIG_PATH: configFile },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = () => {
    stopping ??= (async () => {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  const url = `http://127.0.0.1:${httpPort}`;
  const agent = keepAliveAgent(2);
  const peer: InfluxPeer = {
    url,
    pid: child.pid ?? -1,
    root,
    version,
    output: () => output,
    stop,
    killNow: () => {
      if (alive()) child.kill('SIGKILL');
    },
    dispose: async () => {
      await stop();
      agent.destroy();
      rmSync(root, { recursive: true, force: true });
    },
    query: async (statement, auth, db) => {
      const target = new URL('/query', url);
      if (db !== undefined) target.searchParams.set('db', db);
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (auth) headers.authorization = basicAuth(auth.user, auth.password);
      const reply = await request(agent, target, 'POST', headers, new URLSearchParams({ q: statement }).toString());
      const text = reply.body.toString();
      if (reply.status !== 200) throw new Error(`InfluxDB ${statement}: ${reply.status} ${text}`);
      const body = JSON.parse(text) as { results?: Array<{ error?: string }> };
      const failed = body.results?.find((r) => r.error !== undefined);
      if (failed) throw new Error(`InfluxDB ${statement}: ${failed.error}`);
      return body;
    },
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!alive()) throw new Error(`influxd exited before answering /ping:\n${output}`);
      const ping = await request(agent, new URL('/ping', url), 'GET', {}).catch(() => undefined);
      if (ping?.status === 204) break;
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping within 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await peer.dispose();
    throw error;
  }
  return peer;
}
