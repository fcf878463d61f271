import { FluxgateError } from '../domain/errors.ts';

/** The unique keys of the catalog whose violation is a user-facing conflict rather than a bug. */
export type UniqueKey = 'database_name' | 'token_name' | 'token_hash' | 'user_subject';

/** The values a mutation tried to claim, so the error can name the one that clashed. */
export interface ClaimedValues {
  databaseName?: string | undefined;
  tokenName?: string | undefined;
  userSubject?: string | undefined;
}

export function conflictError(key: UniqueKey, claimed: ClaimedValues): FluxgateError {
  switch (key) {
    case 'database_name':
      return new FluxgateError('DATABASE_EXISTS', `a database named '${claimed.databaseName}' already exists`, {
        name: claimed.databaseName,
      });
    case 'token_name':
      return new FluxgateError('TOKEN_NAME_TAKEN', `a token named '${claimed.tokenName}' already exists`, {
        name: claimed.tokenName,
      });
    case 'token_hash':
      // Deliberately without the hash: it identifies a secret someone else holds.
      return new FluxgateError('TOKEN_HASH_TAKEN', 'a token with this secret is already registered');
    case 'user_subject':
      return new FluxgateError('USER_EXISTS', `a user with the subject '${claimed.userSubject}' already exists`, {
        subject: claimed.userSubject,
      });
  }
}

export function databaseNotFound(id: number): FluxgateError {
  return new FluxgateError('DATABASE_NOT_FOUND', `no database has the id ${id}`, { id });
}

export function tokenNotFound(id: number): FluxgateError {
  return new FluxgateError('TOKEN_NOT_FOUND', `no active token has the id ${id}`, { id });
}

export function databaseLimitReached(name: string, max: number, verb = 'create'): FluxgateError {
  return new FluxgateError(
    'DATABASE_LIMIT_REACHED',
    `cannot ${verb} database '${name}': the catalog holds at most ${max} live databases`,
    { limit: max },
  );
}
