import { type Kysely, type Selectable, sql, type UpdateObject } from 'kysely';
import { FluxgateError } from '../domain/errors.ts';
import type { NewUser, UserPatch, UserRecord, UserRole, UserSource } from './catalog.ts';
import type { CatalogSchema, UsersTable } from './schema.ts';

/** Entries per `recordLastSeen` statement: two parameters each. */
const LAST_SEEN_CHUNK = 500;

export function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    subject: row.subject,
    role: row.role as UserRole,
    source: row.source as UserSource,
    email: row.email,
    displayName: row.display_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    removedAt: row.removed_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function userNotFound(subject: string): FluxgateError {
  return new FluxgateError('USER_NOT_FOUND', `no user has the subject '${subject}'`, { subject });
}

export function userExists(subject: string): FluxgateError {
  return new FluxgateError('USER_EXISTS', `a user with the subject '${subject}' already exists`, { subject });
}

/** Inserts the user, or brings back the removed row of the same subject as a new user. */
export async function insertOrRevive(db: Kysely<CatalogSchema>, input: NewUser): Promise<UserRecord> {
  const existing = await db.selectFrom('users').selectAll().where('subject', '=', input.subject).executeTakeFirst();
  const values = {
    role: input.role,
    source: input.source,
    email: input.email,
    display_name: input.displayName,
    created_at: input.createdAt,
    updated_at: null,
    disabled_at: input.disabled ? input.createdAt : null,
    removed_at: null,
    last_seen_at: null,
  };
  if (existing === undefined) {
    const row = await db
      .insertInto('users')
      .values({ subject: input.subject, ...values })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUserRecord(row);
  }
  if (existing.removed_at === null) throw userExists(input.subject);
  const row = await db
    .updateTable('users')
    .set(values)
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUserRecord(row);
}

export function userChanges(patch: UserPatch, at: number): UpdateObject<CatalogSchema, 'users'> {
  const changes: UpdateObject<CatalogSchema, 'users'> = { updated_at: at };
  if (patch.role !== undefined) changes.role = patch.role;
  if (patch.source !== undefined) changes.source = patch.source;
  if (patch.email !== undefined) changes.email = patch.email;
  if (patch.displayName !== undefined) changes.display_name = patch.displayName;
  if (patch.disabledAt !== undefined) changes.disabled_at = patch.disabledAt;
  return changes;
}

export async function recordLastSeen(
  db: Kysely<CatalogSchema>,
  entries: ReadonlyArray<{ userId: number; at: number }>,
): Promise<void> {
  const latest = new Map<number, number>();
  for (const { userId, at } of entries) latest.set(userId, Math.max(at, latest.get(userId) ?? at));
  const pairs = [...latest].sort(([a], [b]) => a - b);
  for (let start = 0; start < pairs.length; start += LAST_SEEN_CHUNK) {
    const values = pairs
      .slice(start, start + LAST_SEEN_CHUNK)
      .map(([userId, at]) => sql`(cast(${userId} as bigint), cast(${at} as bigint))`);
    await sql`
      update users set last_seen_at = v.column2
      from (values ${sql.join(values)}) as v
      where users.id = v.column1 and (users.last_seen_at is null or users.last_seen_at < v.column2)
    `.execute(db);
  }
}
