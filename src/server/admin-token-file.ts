import { readFileSync, statSync } from 'node:fs';
import { fail } from '../domain/errors.ts';
import { OPERATOR_TOKEN_NAME } from '../domain/names.ts';

export interface AdminTokenFile {
  token: string;
  name: string;
  expiresAt: number | null;
  /** True when group or others may read the file: worth a warning, not a refusal. */
  tooOpen: boolean;
}

const KNOWN_FIELDS = new Set(['token', 'name', 'expiry_millis', 'description']);

/** InfluxDB 3's `--admin-token-file` JSON: `{"token", "name"?, "expiry_millis"?}`. */
export function readAdminTokenFile(path: string): AdminTokenFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail('INVALID_INPUT', `admin token file ${path} is not readable JSON: ${(error as Error).message.split('\n')[0]}`, {
      field: 'admin-token-file',
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('INVALID_INPUT', `admin token file ${path} must hold a JSON object`, { field: 'admin-token-file' });
  }
  const record = parsed as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.has(key))
      fail('UNKNOWN_FIELD', `admin token file ${path} has an unknown field '${key}'`, { field: key });
  }
  if (typeof record.token !== 'string')
    fail('INVALID_INPUT', `admin token file ${path} needs a "token" string`, { field: 'token' });
  if (record.name !== undefined && typeof record.name !== 'string') {
    fail('INVALID_INPUT', `admin token file ${path}: "name" must be a string`, { field: 'name' });
  }
  const expiry = record.expiry_millis;
  if (expiry !== undefined && expiry !== null && !Number.isSafeInteger(expiry)) {
    fail('INVALID_INPUT', `admin token file ${path}: "expiry_millis" must be epoch milliseconds`, {
      field: 'expiry_millis',
    });
  }
  return {
    token: record.token,
    name: (record.name as string | undefined) ?? OPERATOR_TOKEN_NAME,
    expiresAt: (expiry as number | undefined | null) ?? null,
    tooOpen: (statSync(path).mode & 0o077) !== 0,
  };
}
