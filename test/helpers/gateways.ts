/**
 * What the gateway e2e files share: N fluxgate gateways on one scratch PostgreSQL catalog in front of
 * an upstream (started one after the other: the first migrates the catalog), the operator token
 * minted on the first, a recorder of every response (to prove an upstream secret is in none), and
 * `eventually` for what another node sees after a moment. The upstream is the caller's; for
 * `--storage influxdb3`, `startFluxgateUpstream` gives a plain fluxgate storage node.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap, call, type JsonResponse } from './http.ts';
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

/** Waits until `check` holds, polling every 100 ms; fails naming `what` past `ms`. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `call`, keeping every response's body and headers in `seen`. */
export function recordingCall(seen: string[]) {
  return async <T = unknown>(
    base: string,
    method: string,
    path: string,
    options: Parameters<typeof call>[3],
  ): Promise<JsonResponse<T>> => {
    const response = await call<T>(base, method, path, options);
    seen.push(response.text, JSON.stringify([...response.headers]));
    return response;
  };
}

export interface GatewayCluster {
  gateways: ServerProcess[];
  /** The operator token, minted on the first gateway (the catalog is shared: every gateway takes it). */
  operator: string;
  scratch: ScratchDatabase;
  /** A private directory for credential files; removed by dispose. */
  dir: string;
  /** The flags every gateway of the cluster runs with (for one more, started with flags of its own). */
  args: string[];
  dispose(): Promise<void>;
}

/**
 * `count` gateways with `--storage <storage>` and `upstreamArgs` (`--upstream-url`, the credential
 * file…), written by `upstreamArgs(dir)` into the cluster's own directory.
 */
export async function startGateways(options: {
  count: number;
  storage: 'influxdb3' | 'influxdb1';
  upstreamArgs: (dir: string) => string[];
  scratchPrefix: string;
  logLevel?: string;
}): Promise<GatewayCluster> {
  const dir = mkdtempSync(join(tmpdir(), `fluxgate-${options.scratchPrefix}-`));
  const scratch = await createScratchDatabase(options.scratchPrefix);
  const gateways: ServerProcess[] = [];
  const dispose = async () => {
    await Promise.all(gateways.map((server) => server.dispose()));
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const args = ['--catalog', scratch.url, '--storage', options.storage, ...options.upstreamArgs(dir)];
    args.push('--log-level', options.logLevel ?? 'info');
    for (let i = 0; i < options.count; i++) gateways.push(await startServerProcess({ args }));
    const operator = await bootstrap((gateways[0] as ServerProcess).url);
    return { gateways, operator, scratch, dir, args, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

export interface FluxgateUpstream {
  /** The storage node as it runs now (restart replaces it). */
  readonly node: ServerProcess;
  /** Its admin token: the gateways' one credential. */
  token: string;
  /** The gateway flags that point at it, with the token in a file of `dir`. */
  gatewayArgs(dir: string): string[];
  /** Starts it again on the same address and data directory, after a stop or a kill. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** A plain `fluxgate serve` (own SQLite catalog, DuckDB data) as the InfluxDB 3 API upstream. */
export async function startFluxgateUpstream(args: string[] = []): Promise<FluxgateUpstream> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fluxgate-upstream-'));
  let node = await startServerProcess({ dataDir, args });
  const url = node.url;
  const token = await bootstrap(url);
  return {
    get node() {
      return node;
    },
    token,
    gatewayArgs(dir) {
      const tokenFile = join(dir, 'upstream-admin.json');
      writeFileSync(tokenFile, JSON.stringify({ token, name: '_admin' }), { mode: 0o600 });
      return ['--upstream-url', url, '--upstream-token-file', tokenFile];
    },
    async restart() {
      node = await startServerProcess({ dataDir, args: [...args, '--http-bind', new URL(url).host] });
    },
    async dispose() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
