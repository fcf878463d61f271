/**
 * Where a request carries its token: `Authorization: Bearer|Token <t>`, `Authorization: Basic
 * base64(user:t)` (the token is the password), or `?p=<t>` on the v1 paths. The scheme is matched
 * case-insensitively (InfluxDB 3 refuses `bearer`; RFC 9110 says schemes are case-insensitive).
 */
export type Credential =
  | { kind: 'none' }
  | { kind: 'token'; token: string; carrier: 'bearer' | 'token' | 'basic' | 'query' }
  | { kind: 'malformed'; reason: string };

const MALFORMED_HINT = "expected 'Authorization: <scheme> <token>' with scheme Bearer, Token or Basic";

export function extractCredential(authorization: string | undefined, v1Password?: string): Credential {
  if (v1Password !== undefined && v1Password !== '') return { kind: 'token', token: v1Password, carrier: 'query' };
  if (authorization === undefined || authorization === '') return { kind: 'none' };
  const parts = authorization.split(' ');
  if (parts.length !== 2 || parts[1] === '') return { kind: 'malformed', reason: MALFORMED_HINT };
  const [scheme, value] = parts as [string, string];
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return { kind: 'token', token: value, carrier: 'bearer' };
    case 'token':
      return { kind: 'token', token: value, carrier: 'token' };
    case 'basic':
      return fromBasic(value);
    default:
      return { kind: 'malformed', reason: `unsupported scheme; ${MALFORMED_HINT}` };
  }
}

function fromBasic(encoded: string): Credential {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    return { kind: 'malformed', reason: 'Basic credentials are not valid base64' };
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.lastIndexOf(':');
  if (colon < 0) return { kind: 'malformed', reason: "Basic credentials must be 'username:token'" };
  const user = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  if (user.includes(':') || token === '') {
    return { kind: 'malformed', reason: "Basic credentials must be 'username:token' with a non-empty token" };
  }
  return { kind: 'token', token, carrier: 'basic' };
}
