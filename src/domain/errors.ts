/**
 * The one registry of error codes. Every face maps a code to its own status and body shape;
 * `docs/errors.md` documents each code and a test keeps the two in parity.
 */
export const errorCodes = {
  INVALID_INPUT: { status: 400, summary: 'A field of the request is missing, malformed or out of range.' },
  INVALID_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  UNKNOWN_FIELD: { status: 400, summary: 'The request body has a field the endpoint does not know.' },
  INVALID_NAME: { status: 400, summary: 'A token or database name breaks the naming rules.' },
  INVALID_PERMISSION: {
    status: 400,
    summary: 'A permission string or object cannot be parsed or names something unknown.',
  },
  INVALID_EXPIRY: { status: 400, summary: 'An expiry is unparseable, not positive, or already in the past.' },
  MALFORMED_CREDENTIAL: { status: 400, summary: 'The Authorization header is not of the form `<scheme> <token>`.' },
  CREDENTIAL_MISSING: { status: 401, summary: 'The request carries no token.' },
  TOKEN_MALFORMED: {
    status: 401,
    summary: 'The token string fails its format or checksum check (no lookup was made).',
  },
  TOKEN_UNKNOWN: { status: 401, summary: 'No token with this secret exists.' },
  TOKEN_EXPIRED: { status: 401, summary: 'The token existed but its expiry has passed.' },
  TOKEN_REVOKED: { status: 401, summary: 'The token existed but was revoked or its secret was rotated away.' },
  SESSION_INVALID: {
    status: 401,
    summary: "The identity provider's token failed verification: algorithm, issuer, audience, key or signature.",
  },
  SESSION_EXPIRED: { status: 401, summary: "The identity provider's token has expired or is not valid yet." },
  USER_NOT_ALLOWED: {
    status: 401,
    summary: 'The sign-in is valid but its subject is not a user here: removed, disabled, or in no group.',
  },
  PERMISSION_DENIED: { status: 403, summary: 'The token is valid but does not hold the right the action needs.' },
  GRANT_EXCEEDS_OWN: { status: 403, summary: 'A token may only mint tokens whose rights are a subset of its own.' },
  EXPIRY_EXCEEDS_OWN: { status: 403, summary: 'A token may only mint tokens that expire no later than itself.' },
  ROLE_EXCEEDS_OWN: {
    status: 403,
    summary: 'A management token may only be given a role no higher than that of the principal creating or editing it.',
  },
  BOOTSTRAP_NOT_LOCAL: {
    status: 403,
    summary: 'The first operator token can only be created from a loopback address.',
  },
  TOKEN_NOT_FOUND: { status: 404, summary: 'No active token has this name or id.' },
  DATABASE_NOT_FOUND: { status: 404, summary: 'No database has this name.' },
  OPERATOR_TOKEN_MISSING: { status: 404, summary: 'There is no operator token to regenerate yet.' },
  NOT_FOUND: { status: 404, summary: 'No such endpoint.' },
  OPERATOR_TOKEN_UNDELETABLE: {
    status: 405,
    summary: 'The operator token `_admin` cannot be revoked, deleted or edited; regenerate it instead.',
  },
  AUTH_DISABLED: {
    status: 405,
    summary: 'Token endpoints are disabled because the server runs with `--without-auth`.',
  },
  USER_NOT_FOUND: { status: 404, summary: 'No current user has this subject.' },
  USER_EXISTS: { status: 409, summary: 'A user with this subject already exists.' },
  USER_DECLARED_AT_STARTUP: {
    status: 409,
    summary: 'The user is an Admin by `--oidc-admin-subjects`; change the server flag instead.',
  },
  TOKEN_NAME_TAKEN: { status: 409, summary: 'An active token already has this name.' },
  OPERATOR_TOKEN_EXISTS: { status: 409, summary: 'The operator token `_admin` already exists.' },
  DATABASE_EXISTS: { status: 409, summary: 'A database with this name already exists.' },
  DATABASE_OWNED_ELSEWHERE: {
    status: 421,
    summary:
      "The database's files live on another node of this shared catalog; send the request to that node (its id and address are named).",
  },
  TOKEN_INACTIVE: {
    status: 409,
    summary: 'The token is revoked or expired: it cannot be edited, rotated or revoked again.',
  },
  TOKEN_HASH_TAKEN: { status: 409, summary: 'A token with this secret is already registered.' },
  BODY_TOO_LARGE: { status: 413, summary: 'The request body is larger than the configured limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The request body has a content type the endpoint does not accept.' },
  AUTH_THROTTLED: {
    status: 429,
    summary: 'Too many failed authentications from this source; retry after the given delay.',
  },
  LINE_PROTOCOL_INVALID: { status: 400, summary: 'One or more lines of a write could not be parsed or stored.' },
  QUERY_REJECTED: {
    status: 400,
    summary: 'The query is not a read of this database alone and was refused before running.',
  },
  QUERY_FAILED: { status: 400, summary: 'The query could not be planned or executed.' },
  QUERY_RESULT_TOO_LARGE: {
    status: 400,
    summary: 'The result passed `--query-max-result` before its first byte was sent; narrow the query.',
  },
  DATABASE_LIMIT_REACHED: {
    status: 409,
    summary: "Creating the database would pass the server's `--max-databases`; delete one or raise the limit.",
  },
  IDENTITY_PROVIDER_UNAVAILABLE: {
    status: 503,
    summary: 'The identity provider (discovery or key set) cannot be reached; fluxgate tokens still work.',
  },
  // The web console's session layer.
  CONSOLE_SESSION_INVALID: { status: 401, summary: 'The console session cookie names no live session; sign in again.' },
  CSRF_REFUSED: {
    status: 403,
    summary: "A state-changing console request lacked its session's CSRF token or came from another origin.",
  },
  CONSOLE_NOT_BUILT: { status: 503, summary: 'The web console has not been built; run `npm run build:console`.' },
  CATALOG_UNAVAILABLE: {
    status: 503,
    summary: 'The catalog (PostgreSQL) cannot be reached right now; tokens already known keep working. Retry.',
  },
  STORAGE_CAPABILITY_ABSENT: {
    status: 501,
    summary:
      'The data engine this server forwards to (`--storage`) lacks what the request needs; the message names the engine.',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    summary:
      'The upstream data engine (`--upstream-url`) cannot be reached or timed out; token management keeps working. Retry.',
  },
  UPSTREAM_FAILED: {
    status: 502,
    summary:
      'The upstream data engine answered with an error of its own (its credential refused, a server error); the log has its status.',
  },
  STORAGE_FULL: {
    status: 507,
    summary: "The disk holding the database's write-ahead log is full; the write was not stored. Free space and retry.",
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    summary: "The database's write-ahead log could not be written or synced; the write was not stored. Retry.",
  },
  STORAGE_BEHIND: {
    status: 503,
    summary:
      'A query (or a write, behind a backlog) waited too long for acknowledged writes to be applied to the database. Retry.',
  },
  INFLUXQL_INVALID: {
    status: 400,
    summary: 'The InfluxQL query does not parse; the message names the line and character.',
  },
  INTERNAL: { status: 500, summary: 'An unexpected server error; the log has the details.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorDetails {
  /** The request field, flag or parameter that is wrong. */
  field?: string;
  /** Extra machine-readable context, never a secret. */
  [key: string]: unknown;
}

export class FluxgateError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'FluxgateError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code].status;
  }
}

export function fail(code: ErrorCode, message: string, details?: ErrorDetails): never {
  throw new FluxgateError(code, message, details);
}

export function isFluxgateError(error: unknown): error is FluxgateError {
  return error instanceof FluxgateError;
}
