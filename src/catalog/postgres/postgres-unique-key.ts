import type { UniqueKey } from '../catalog-errors.ts';

/** PostgreSQL reports the violated constraint (or unique index) by name. */
const KEYS: Readonly<Record<string, UniqueKey>> = {
  databases_live_name: 'database_name',
  tokens_live_name: 'token_name',
  token_secrets_pkey: 'token_hash',
  users_subject_key: 'user_subject',
};

const UNIQUE_VIOLATION = '23505';

export function postgresUniqueKey(error: unknown): UniqueKey | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== UNIQUE_VIOLATION || typeof constraint !== 'string') return undefined;
  return KEYS[constraint];
}
