/** The v1 password parameter carries a token: never let it reach a log line. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => (/^(p|token|u)=/i.test(pair) ? `${pair.slice(0, pair.indexOf('='))}=REDACTED` : pair));
  return `${url.slice(0, query)}?${params.join('&')}`;
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
