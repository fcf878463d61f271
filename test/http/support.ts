/**
 * Shared helpers for the HTTP tests against a real `fluxgate serve` process: a client that remembers
 * every secret it saw (so each file can prove none reached the server log), error assertions for the
 * v3 body shape, token factories, and requests from a chosen loopback source address.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { generateToken, hashToken, type TokenKind } from '../../src/domain/token-format.ts';
import { call, type IssuedToken, type JsonResponse } from '../helpers/http.ts';
import { type ServerProcess, type StartOptions, startServerProcess } from '../helpers/server-process.ts';

export type { IssuedToken, JsonResponse };

export interface CallOptions {
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** The v3 error body. */
export interface ErrorBody {
  error: string;
  code: string;
  field?: string;
  reason?: string;
}

/** What the server answers for a created or regenerated token (the only time a secret is sent). */
export interface IssuedTokenJson extends IssuedToken {
  kind: string;
  created_at: string;
}

/** One element of `GET /api/v3/configure/token`. */
export interface TokenViewJson {
  id: number;
  name: string;
  kind: string;
  description: string | null;
  hint: string;
  status: 'active' | 'expired' | 'revoked';
  permissions: string[];
  expiry: string | null;
  revoked_at: string | null;
  [key: string]: unknown;
}

export interface DatabaseJson {
  'iox::database': string;
  id: number;
  [key: string]: unknown;
}

export interface Permission {
  resource_type: string;
  resource_names: string[];
  actions: string[];
}

/** A client for one server that records every secret it was given or presented. */
export class Api {
  /** Token strings (and Authorization values) issued by or presented to this server. */
  readonly secrets = new Set<string>();

  constructor(readonly base: string) {}

  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<JsonResponse<T>> {
    if (options.token !== undefined) this.remember(options.token);
    const authorization = options.headers?.authorization ?? options.headers?.Authorization;
    if (authorization !== undefined) this.remember(authorization.slice(authorization.indexOf(' ') + 1));
    const response = await call<T>(this.base, method, path, options);
    const issued = (response.body as { token?: unknown } | undefined)?.token;
    if (typeof issued === 'string') this.remember(issued);
    return response;
  }

  remember(secret: string): void {
    if (secret.length >= 16) this.secrets.add(secret);
  }

  /** Creates a database as `token`; asserts 201. */
  async createDatabase(token: string, db: string): Promise<DatabaseJson> {
    const response = await this.call<DatabaseJson>('POST', '/api/v3/configure/database', { token, json: { db } });
    assert.equal(response.status, 201, `create database ${db}: ${response.text}`);
    return response.body;
  }

  /** `POST /api/v3/configure/token/named_admin` as `token`; asserts 201. */
  async createAdminToken(token: string, name: string, extra: Record<string, unknown> = {}): Promise<IssuedTokenJson> {
    const response = await this.call<IssuedTokenJson>('POST', '/api/v3/configure/token/named_admin', {
      token,
      json: { token_name: name, ...extra },
    });
    assert.equal(response.status, 201, `create admin token ${name}: ${response.text}`);
    return response.body;
  }

  /** `POST /api/v3/enterprise/configure/token` as `token`; asserts 201. */
  async createDatabaseToken(
    token: string,
    name: string,
    permissions: Permission[],
    extra: Record<string, unknown> = {},
  ): Promise<IssuedTokenJson> {
    const response = await this.call<IssuedTokenJson>('POST', '/api/v3/enterprise/configure/token', {
      token,
      json: { token_name: name, permissions, ...extra },
    });
    assert.equal(response.status, 201, `create database token ${name}: ${response.text}`);
    return response.body;
  }

  /** `DELETE /api/v3/configure/token?token_name=` as `token`; asserts 200. */
  async revokeToken(token: string, name: string): Promise<void> {
    const response = await this.call('DELETE', `/api/v3/configure/token?token_name=${encodeURIComponent(name)}`, {
      token,
    });
    assert.equal(response.status, 200, `revoke ${name}: ${response.text}`);
  }
}

/**
 * Starts several servers at once (a start is mostly CPU-bound module loading, so two overlap well on
 * two cores). If one fails to start, the others are stopped before the error is thrown.
 */
export async function startServers(...options: StartOptions[]): Promise<ServerProcess[]> {
  const results = await Promise.allSettled(options.map((o) => startServerProcess(o)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
    throw failure.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<ServerProcess>).value);
}

/** Disposes whatever a lazily started `startServers` produced (nothing if it never ran or failed). */
export async function disposeServers(started: Promise<ServerProcess[]> | undefined): Promise<void> {
  const servers = await (started ?? Promise.resolve([])).catch(() => []);
  await Promise.all(servers.map((server) => server.dispose()));
}

export function dbPermission(names: string[], actions: string[]): Permission {
  return { resource_type: 'db', resource_names: names, actions };
}

export function systemPermission(names: string[]): Permission {
  return { resource_type: 'system', resource_names: names, actions: ['read'] };
}

/**
 * Asserts a v3-family error: status, `X-Fluxgate-Error`, `code` in the body, and `field`/`reason`
 * when expected. 401s must carry `WWW-Authenticate` and a reason; 429s a `Retry-After`.
 */
export function assertError(
  response: JsonResponse,
  status: number,
  code: string,
  expected: { field?: string; reason?: string } = {},
): ErrorBody {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as ErrorBody;
  assert.deepEqual(
    { status: response.status, header: response.headers.get('x-fluxgate-error'), code: body.code },
    { status, header: code, code },
    `expected ${status} ${code}, got ${response.status}: ${response.text}`,
  );
  assert.equal(typeof body.error, 'string', `an error message: ${response.text}`);
  if (expected.field !== undefined) assert.equal(body.field, expected.field, response.text);
  if (status === 401) {
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="fluxgate"/);
    assert.equal(typeof body.reason, 'string', `a 401 names its reason: ${response.text}`);
  }
  if (expected.reason !== undefined) assert.equal(body.reason, expected.reason, response.text);
  if (status === 429) assert.match(response.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
  return body;
}

/** A fresh, well-formed token string (valid checksum) that no server has issued. */
export function unknownToken(kind: TokenKind = 'admin'): string {
  return generateToken(kind);
}

/** The same token with one checksum character changed: well-formed-looking, but the checksum fails. */
export function withBadChecksum(token: string): string {
  const last = token.at(-1);
  return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

/** Waits until an RFC3339 expiry has passed (plus a margin for clock granularity). */
export async function sleepUntilAfter(expiry: string | null): Promise<void> {
  assert.ok(expiry !== null, 'the token has an expiry');
  const wait = Date.parse(expiry) - Date.now() + 150;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Waits (up to `ms`) until the server output contains `text`: log lines arrive through a pipe, after the response. */
export async function waitForOutput(server: ServerProcess, text: string, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!server.output().includes(text)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/**
 * Stops the server (so its log is complete, shutdown included) and asserts that the log holds none of
 * the secrets, nor their SHA-512 hashes. Call it last: the server is gone afterwards.
 */
export async function assertNoSecretsLogged(server: ServerProcess, secrets: Iterable<string>): Promise<void> {
  await server.stop();
  const output = server.output();
  const list = [...secrets];
  assert.ok(list.length > 0, 'the test saw at least one secret');
  assert.ok(output.includes('"fluxgate listening"'), 'the output is the server log');
  for (const secret of list) {
    assert.ok(!output.includes(secret), `the server log contains a secret starting ${secret.slice(0, 8)}`);
    assert.ok(!output.includes(hashToken(secret)), `the server log contains the hash of ${secret.slice(0, 8)}…`);
  }
}

/**
 * A request whose TCP connection starts from `localAddress` (e.g. 127.0.0.2), so the server sees
 * another source IP. Any 127.x address is local on Linux; elsewhere the bind fails and callers skip.
 */
export function callFrom<T = unknown>(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: body as T, text });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Whether this machine lets a client connect from `localAddress` (true for 127.0.0.2 on Linux). */
export async function canUseSourceAddress(localAddress: string, base: string): Promise<boolean> {
  try {
    await callFrom(localAddress, base, 'GET', '/no-such-path');
    return true;
  } catch {
    return false;
  }
}

/** The first non-internal IPv4 address of this machine, if any: a client reaching it is not loopback. */
export function nonLoopbackIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal && !address.address.startsWith('127.')) return address.address;
    }
  }
  return undefined;
}

/** The value of a Prometheus sample such as `fluxgate_auth_outcomes_total{outcome="unknown"}`, 0 when absent. */
export function metricValue(text: string, sample: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}
