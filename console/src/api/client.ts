/**
 * The console's one way to the server. Requests go to the same endpoints the CLI uses; the session
 * cookie (HttpOnly, so never visible here) authenticates them, and every state-changing call carries
 * the session's CSRF token, which lives in memory only.
 */

/** An error as the API reported it: its message is shown to the user as is. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly reason: string | undefined;

  constructor(status: number, code: string, message: string, field?: string, reason?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.reason = reason;
  }
}

let csrfToken: string | undefined;
let onSessionLost: ((error: ApiError) => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session is over (signed out, expired, token revoked). */
export function setSessionLostHandler(handler: ((error: ApiError) => void) | undefined): void {
  onSessionLost = handler;
}

export interface ApiResponse<T> {
  body: T;
  headers: Headers;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export async function request<T>(
  method: string,
  path: string,
  options: { json?: unknown; query?: Record<string, string | number | boolean | undefined> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (!SAFE_METHODS.has(method) && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
    cache: 'no-store',
    redirect: 'error',
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const error = toApiError(response.status, parsed, text);
    if (response.status === 401 && !path.startsWith('/console/api/session')) onSessionLost?.(error);
    throw error;
  }
  return { body: parsed as T, headers: response.headers };
}

export const api = {
  get: <T>(path: string, query?: Record<string, string | number | boolean | undefined>) =>
    request<T>('GET', path, { query }).then((r) => r.body),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json: json ?? {} }).then((r) => r.body),
  put: <T>(path: string, json?: unknown) => request<T>('PUT', path, { json: json ?? {} }).then((r) => r.body),
  patch: <T>(path: string, json: unknown) => request<T>('PATCH', path, { json }).then((r) => r.body),
  delete: (path: string, query?: Record<string, string | number | boolean | undefined>) =>
    request<unknown>('DELETE', path, { query }).then(() => undefined),
};

/** Follows `X-Next-Cursor` until the list ends (the v0 lists page at most 1000 items). */
export async function listAll<T>(
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
  onProgress?: (loaded: number) => void,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await request<T[]>('GET', path, { query: { ...query, limit: 1000, cursor } });
    items.push(...page.body);
    onProgress?.(items.length);
    cursor = page.headers.get('x-next-cursor') ?? undefined;
  } while (cursor !== undefined && cursor !== '');
  return items;
}

function withQuery(path: string, query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The v3 shape `{error, code, field, reason}` and the v0 shape `{code: status, message, fluxgateCode}`. */
export function toApiError(status: number, body: unknown, text: string): ApiError {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    const message = str(b.message) ?? str(b.error) ?? `the server answered ${status}`;
    const code = str(b.fluxgateCode) ?? str(b.code) ?? String(status);
    return new ApiError(status, code, message, str(b.field), str(b.reason));
  }
  const message = text.trim() === '' ? `the server answered ${status}` : text.trim().slice(0, 500);
  return new ApiError(status, String(status), message);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
