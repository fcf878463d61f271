import type { V3Expiry } from './expiry-flag.ts';
import type { TlsSettings } from './profiles.ts';
import { tlsFetch } from './tls-fetch.ts';

/**
 * The HTTP client both CLI shapes use. It speaks the server's public API only, so it works against
 * any fluxgate node (and, for the influxdb3-shaped calls, an InfluxDB 3 server).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    /** Per-line errors of a rejected write, when the server sent them. */
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  host: string;
  token: string | undefined;
  /** `[profile.tls]` of a profile: a CA, a client certificate, or no verification at all. */
  tls?: TlsSettings | undefined;
  /** Called on a 401 to a request that carried the token; may return a better-worded error. */
  onUnauthorized?: (error: ApiError) => ApiError;
}

export interface IssuedTokenJson {
  id: number;
  name: string;
  token: string;
  hint: string;
  kind: string;
  permissions: string[];
  created_at: string | null;
  expiry: string | null;
}

export interface TokenJson {
  id: number;
  name: string;
  kind: string;
  description: string | null;
  hint: string;
  status: string;
  permissions: string[];
  created_at: string;
  expiry: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface DatabaseJson {
  'iox::database': string;
  id: number;
  created_at: string;
  retention_period_ms: number | null;
}

export interface PermissionJson {
  resource_type: string;
  resource_names: string[];
  actions: string[];
}

export class FluxgateClient {
  constructor(private readonly options: ClientOptions) {}

  createOperatorToken(): Promise<IssuedTokenJson> {
    return this.json('POST', '/api/v3/configure/token/admin', undefined, { auth: false });
  }

  createAdminToken(name: string, expiry: V3Expiry): Promise<IssuedTokenJson> {
    return this.json('POST', '/api/v3/configure/token/named_admin', { token_name: name, ...expiry });
  }

  regenerateOperatorToken(): Promise<IssuedTokenJson> {
    return this.json('POST', '/api/v3/configure/token/admin/regenerate');
  }

  createDatabaseToken(name: string, permissions: PermissionJson[], expiry: V3Expiry): Promise<IssuedTokenJson> {
    return this.json('POST', '/api/v3/enterprise/configure/token', { token_name: name, permissions, ...expiry });
  }

  /** Every token, following the server's pages (`X-Next-Cursor`) to the last one. */
  async listTokens(includeRevoked: boolean): Promise<TokenJson[]> {
    const all: TokenJson[] = [];
    let path: string | undefined = `/api/v3/configure/token${includeRevoked ? '?include_revoked=true' : ''}`;
    while (path !== undefined) {
      const response = await this.request('GET', path, undefined);
      all.push(...((await response.json()) as TokenJson[]));
      const next = response.headers.get('x-next-cursor');
      path =
        next === null
          ? undefined
          : `/api/v3/configure/token?${includeRevoked ? 'include_revoked=true&' : ''}cursor=${encodeURIComponent(next)}`;
    }
    return all;
  }

  deleteToken(name: string): Promise<void> {
    return this.json('DELETE', `/api/v3/configure/token?token_name=${encodeURIComponent(name)}`);
  }

  createDatabase(name: string, retentionPeriod: string | undefined): Promise<DatabaseJson> {
    return this.json('POST', '/api/v3/configure/database', { db: name, retention_period: retentionPeriod ?? null });
  }

  listDatabases(): Promise<DatabaseJson[]> {
    return this.json('GET', '/api/v3/configure/database?format=json');
  }

  deleteDatabase(name: string): Promise<void> {
    return this.json('DELETE', `/api/v3/configure/database?db=${encodeURIComponent(name)}`);
  }

  async json<T>(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<T> {
    const response = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), {
      auth: options.auth ?? true,
      contentType: 'application/json',
    });
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async request(
    method: string,
    path: string,
    body: BodyInit | undefined,
    options: { auth?: boolean; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined && options.contentType !== undefined) headers['content-type'] = options.contentType;
    if ((options.auth ?? true) && this.options.token !== undefined)
      headers.authorization = `Bearer ${this.options.token}`;
    const url = new URL(path, this.options.host);
    const send = tlsFetch(this.options.tls) ?? fetch;
    let response: Response;
    try {
      response = await send(url, { method, headers, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiError(0, 'CONNECTION_FAILED', `cannot reach ${url.origin} (${reason})`);
    }
    if (!response.ok) {
      const error = await apiErrorOf(response);
      const carriedToken = headers.authorization !== undefined;
      throw error.status === 401 && carriedToken && this.options.onUnauthorized
        ? this.options.onUnauthorized(error)
        : error;
    }
    const unconfirmed = response.headers.get('x-fluxgate-unconfirmed-nodes');
    if (unconfirmed !== null) {
      process.stderr.write(
        `warning: not yet applied on every node (no acknowledgement in time from: ${unconfirmed})\n`,
      );
    }
    return response;
  }
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let message = text || response.statusText;
  let code = response.headers.get('x-fluxgate-error') ?? undefined;
  let data: unknown;
  try {
    const body = JSON.parse(text) as { error?: string; message?: string; code?: string; data?: unknown };
    message = body.error ?? body.message ?? message;
    data = body.data;
    if (code === undefined && typeof body.code === 'string') code = body.code;
  } catch {
    // a plain-text error body is the message itself
  }
  return new ApiError(response.status, code, `${response.status} ${message}`, data);
}
