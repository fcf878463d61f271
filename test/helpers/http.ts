/** Small fetch wrappers for tests against a real server. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(new URL(path, base), { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export interface IssuedToken {
  id: number;
  name: string;
  token: string;
  hint: string;
  permissions: string[];
  expiry: string | null;
}

/** Creates the operator token on a fresh server and returns its secret. */
export async function bootstrap(base: string): Promise<string> {
  const response = await call<IssuedToken>(base, 'POST', '/api/v3/configure/token/admin');
  if (response.status !== 201) throw new Error(`bootstrap failed: ${response.status} ${response.text}`);
  return response.body.token;
}
