/** Query keys whose value may be a secret (the v1 password carries a token). Compared decoded, lower case. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['p', 'token', 'u', 'password']);

/**
 * Never lets a token reach a log line through the query string. Keys are compared as the query parser
 * sees them (percent- and plus-decoded), so `%70=` is redacted like `p=`; a pair whose key cannot be
 * decoded is redacted whole.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = decodedKey(equals < 0 ? pair : pair.slice(0, equals));
      if (key === undefined) return 'REDACTED';
      return SECRET_KEYS.has(key.trim().toLowerCase())
        ? `${pair.slice(0, equals < 0 ? pair.length : equals)}=REDACTED`
        : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

function decodedKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
