import type { UniqueKey } from '../catalog-errors.ts';

/** SQLite names the columns of the violated index (`UNIQUE constraint failed: tokens.name`), not the index. */
const KEYS: Readonly<Record<string, UniqueKey>> = {
  'databases.name': 'database_name',
  'tokens.name': 'token_name',
  'token_secrets.hash': 'token_hash',
  'users.subject': 'user_subject',
};

export function sqliteUniqueKey(error: unknown): UniqueKey | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code !== 'SQLITE_CONSTRAINT_UNIQUE' && code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return undefined;
  const columns = /^UNIQUE constraint failed: (.+)$/.exec(error.message)?.[1];
  return columns === undefined ? undefined : KEYS[columns];
}
