import type { Transaction } from 'kysely';
import type { TokenSecret } from './catalog.ts';
import { toTokenSecret } from './records.ts';
import type { CatalogSchema } from './schema.ts';

/**
 * Deletes the secrets whose grace period ended at or before `retiredBefore` (a secret that still
 * works, `retires_at` null or later, is never touched): at most `limit` of them, oldest first.
 */
export async function deleteRetiredSecrets(
  trx: Transaction<CatalogSchema>,
  retiredBefore: number,
  limit: number,
): Promise<{ secrets: TokenSecret[]; tokens: Array<{ id: number; name: string; secrets: number }> }> {
  const rows = await trx
    .selectFrom('token_secrets')
    .innerJoin('tokens', 'tokens.id', 'token_secrets.token_id')
    .select(['token_secrets.hash', 'token_secrets.token_id', 'token_secrets.retires_at', 'tokens.name'])
    .where('token_secrets.retires_at', 'is not', null)
    .where('token_secrets.retires_at', '<=', retiredBefore)
    .orderBy('token_secrets.retires_at')
    .orderBy('token_secrets.hash')
    .limit(limit)
    .execute();
  const tokens = new Map<number, { id: number; name: string; secrets: number }>();
  const secrets: TokenSecret[] = [];
  for (const row of rows) {
    let token = tokens.get(row.token_id);
    if (token === undefined) {
      token = { id: row.token_id, name: row.name, secrets: 0 };
      tokens.set(row.token_id, token);
    }
    token.secrets++;
    secrets.push(toTokenSecret(row));
  }
  if (secrets.length === 0) return { secrets, tokens: [] };
  await trx
    .deleteFrom('token_secrets')
    .where(
      'hash',
      'in',
      secrets.map((secret) => secret.hash),
    )
    .where('retires_at', '<=', retiredBefore)
    .execute();
  return { secrets, tokens: [...tokens.values()] };
}
