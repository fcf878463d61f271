/** The one credential fluxgate calls an InfluxDB 1.x upstream with: a user of that server. */
export interface Influxdb1Credential {
  username: string;
  password: string;
}

/**
 * `username:password` (from `--upstream-token-file` or a variable), surrounding whitespace ignored.
 * The password may hold `:`; the message of a refusal never repeats the text.
 */
export function parseInfluxdb1Credential(text: string, source: string): Influxdb1Credential {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0 || colon === trimmed.length - 1) {
    throw new Error(`${source} must hold the InfluxDB 1.x user as username:password`);
  }
  if (/[\r\n]/.test(trimmed)) throw new Error(`${source} must hold one line, username:password`);
  return { username: trimmed.slice(0, colon), password: trimmed.slice(colon + 1) };
}

export function basicAuthorization(credential: Influxdb1Credential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}
