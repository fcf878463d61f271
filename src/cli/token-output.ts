import type { IssuedTokenJson, TokenJson } from './client.ts';
import { type Row, renderRows } from './output.ts';

const STORE_WARNING = 'Store this token securely, as it will not be shown again.';

/** The one time a secret is printed: to stdout, for the person or script that asked for it. */
export function printIssuedToken(issued: IssuedTokenJson, format: string): void {
  if (format === 'json') {
    const help = `${STORE_WARNING} HTTP requests require the following header: "Authorization: Bearer ${issued.token}"`;
    const { id, name, token, hint, kind, permissions, expiry } = issued;
    console.log(JSON.stringify({ id, name, kind, token, hint, permissions, expiry, help_msg: help }, null, 2));
    return;
  }
  console.log('New token created successfully!\n');
  console.log(`Token: ${issued.token}`);
  console.log(`HTTP Requests Header: Authorization: Bearer ${issued.token}\n`);
  console.log(`IMPORTANT: ${STORE_WARNING}`);
}

const TOKEN_COLUMNS = ['id', 'name', 'kind', 'status', 'permissions', 'expiry', 'last_used_at', 'hint'];

export function renderTokens(tokens: TokenJson[], format: string): string {
  if (format === 'json') return JSON.stringify(tokens, null, 2);
  const rows: Row[] = tokens.map((t) => ({
    id: t.id,
    name: t.name,
    kind: t.kind,
    status: t.status,
    permissions: t.permissions.join(' '),
    expiry: t.expiry ?? 'never',
    last_used_at: t.last_used_at ?? 'never',
    hint: t.hint,
  }));
  return renderRows(rows, TOKEN_COLUMNS, format);
}
