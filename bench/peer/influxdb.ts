// InfluxDB 1.x as a benchmark peer: the test helper's influxd (installed with apt when missing, free
// loopback ports, a throwaway data directory, authentication on), queried over a keep-alive agent.
import { type InfluxdProcess, launchInfluxd } from '../../test/helpers/influxdb1.ts';
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

export async function startInfluxPeer(): Promise<InfluxPeer> {
  const influxd: InfluxdProcess = await launchInfluxd('fluxgate-bench-influxdb-');
  const agent = keepAliveAgent(2);
  return {
    url: influxd.url,
    pid: influxd.pid(),
    root: influxd.root,
    version: influxd.version,
    output: influxd.output,
    stop: influxd.stop,
    killNow: influxd.killNow,
    dispose: async () => {
      await influxd.dispose();
      agent.destroy();
    },
    query: async (statement, auth, db) => {
      const target = new URL('/query', influxd.url);
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
}
