import { readFileSync } from 'node:fs';
import { fail } from '../domain/errors.ts';

/**
 * The upstream credential from `--upstream-token-file`: the token string alone, or InfluxDB 3's
 * admin token JSON (`{"token": …}`, other fields ignored). Errors name the file, never its content.
 */
export function readUpstreamTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    fail('INVALID_INPUT', `upstream token file ${path} cannot be read (${reason})`, { field: 'upstream-token-file' });
  }
  const trimmed = text.trim();
  const token = trimmed.startsWith('{') ? tokenOfJson(trimmed, path) : trimmed;
  return requireUsableToken(token, `upstream token file ${path}`);
}

function tokenOfJson(text: string, path: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the text, which holds the secret: say only where it broke.
    fail('INVALID_INPUT', `upstream token file ${path} starts with '{' but is not valid JSON`, {
      field: 'upstream-token-file',
    });
  }
  const token = (parsed as Record<string, unknown> | null)?.token;
  if (typeof token !== 'string') {
    fail('INVALID_INPUT', `upstream token file ${path} needs a "token" string`, { field: 'upstream-token-file' });
  }
  return token.trim();
}

/** A token that can travel in an Authorization header: non-empty, one line, no spaces. */
export function requireUsableToken(token: string, where: string): string {
  if (token === '') fail('INVALID_INPUT', `${where} holds no token`, { field: 'upstream-token-file' });
  // Printable ASCII only: what an HTTP header value may carry.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    fail('INVALID_INPUT', `${where} holds a token with spaces or control characters`, {
      field: 'upstream-token-file',
    });
  }
  return token;
}
