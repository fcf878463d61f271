import { type Row, renderRows } from './output.ts';

/** A token as `/api/v0/tokens` and `/api/v0/management-tokens` answer it; the secret only on create and rotate. */
export interface V0TokenJson {
  id: string;
  name?: string;
  description: string;
  role?: string;
  permissions?: Array<{ action: string; resource: string }>;
  status: string;
  tokenPrefix?: string;
  createdAt: string;
  createdBy?: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
  accessToken?: string;
  graceEndsAt?: string;
}

export const never = (time: string | undefined): string => time ?? 'never';

/** `read:sensors write:*`: a token's grants in one cell. */
export function grants(token: V0TokenJson): string {
  return (token.permissions ?? []).map((p) => `${p.action}:${p.resource}`).join(' ');
}

/**
 * The one time a secret is printed (create and rotate). JSON: the server's object as it came, with
 * `accessToken`. Table: the token without its secret, two warnings, then the secret alone on the last
 * line (so `| tail -n 1` picks it up).
 */
export function printIssued(token: V0TokenJson, format: string): void {
  if (format === 'json') {
    console.log(JSON.stringify(token, null, 2));
    return;
  }
  const row: Row = {
    id: token.id,
    description: token.description,
    expires: never(token.expiresAt),
    revoked: token.revokedAt ?? '',
  };
  const columns = ['id', 'description', 'expires', 'revoked'];
  if (token.graceEndsAt !== undefined) {
    row['old secret works until'] = token.graceEndsAt;
    columns.push('old secret works until');
  }
  console.log(renderRows([row], columns, 'table'));
  console.log('warn copy this token now and keep it somewhere safe');
  console.log('warn this is the only time it is shown: it cannot be recovered later');
  console.log(token.accessToken ?? '');
}

/** A listing: JSON as the server sent it (never a secret: lists carry none), or a table of `columns`. */
export function printTokens(
  tokens: V0TokenJson[],
  format: string,
  columns: Array<[string, (t: V0TokenJson) => string]>,
): void {
  if (format === 'json') {
    console.log(JSON.stringify(tokens.map(withoutSecret), null, 2));
    return;
  }
  const rows = tokens.map((t) => Object.fromEntries(columns.map(([name, cell]) => [name, cell(t)])));
  console.log(
    renderRows(
      rows,
      columns.map(([name]) => name),
      'table',
    ),
  );
}

/** Belt and braces: a listing never prints a secret, even if a server were to send one. */
function withoutSecret(token: V0TokenJson): V0TokenJson {
  const { accessToken: _secret, ...rest } = token;
  return rest;
}
