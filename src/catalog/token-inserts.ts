import type { Transaction } from 'kysely';
import type { AuditEntry, NewToken, TokenRecord } from './catalog.ts';
import { grantFromRow, grantToRow } from './grant-rows.ts';
import type { CatalogSchema } from './schema.ts';

/** One `createToken` call: what the group commit collects. */
export interface TokenCreate {
  input: NewToken;
  secretHash: string;
  audit: AuditEntry;
}

/** Grant rows per statement: six parameters each, well within every dialect's limit. */
const GRANT_ROWS_PER_STATEMENT = 1000;

/**
 * Inserts tokens with their secrets and grants, one multi-row statement per table whatever their
 * number. Returns the records in the order of `creates`. Names must be distinct: the unique index
 * on live names sees to that, failing the whole insert otherwise.
 */
export async function insertTokens(
  trx: Transaction<CatalogSchema>,
  creates: readonly TokenCreate[],
): Promise<TokenRecord[]> {
  const inserted = await trx
    .insertInto('tokens')
    .values(
      creates.map(({ input }) => ({
        kind: input.kind,
        name: input.name,
        description: input.description,
        hint: input.hint,
        created_at: input.createdAt,
        created_by: input.createdBy,
        expires_at: input.expiresAt,
        role: input.role ?? null,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  // Neither dialect promises RETURNING rows in VALUES order; the (live, so unique) name says whose id it is.
  const idByName = new Map(inserted.map((row) => [row.name, row.id]));
  const ids = creates.map(({ input }) => {
    const id = idByName.get(input.name);
    if (id === undefined) throw new Error(`the insert of token '${input.name}' returned no id`);
    return id;
  });
  await trx
    .insertInto('token_secrets')
    .values(creates.map(({ secretHash }, i) => ({ hash: secretHash, token_id: ids[i] as number, retires_at: null })))
    .execute();
  const grantRows = creates.map(({ input }, i) =>
    input.grants.map((grant, position) => grantToRow(ids[i] as number, position, grant)),
  );
  const allGrantRows = grantRows.flat();
  for (let start = 0; start < allGrantRows.length; start += GRANT_ROWS_PER_STATEMENT) {
    await trx
      .insertInto('token_grants')
      .values(allGrantRows.slice(start, start + GRANT_ROWS_PER_STATEMENT))
      .execute();
  }
  return creates.map(({ input }, i) => ({
    id: ids[i] as number,
    kind: input.kind,
    name: input.name,
    description: input.description,
    hint: input.hint,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    updatedAt: null,
    updatedBy: null,
    expiresAt: input.expiresAt,
    revokedAt: null,
    lastUsedAt: null,
    role: input.role ?? null,
    grants: (grantRows[i] ?? []).map(grantFromRow),
  }));
}
