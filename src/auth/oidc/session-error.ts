import { type ErrorCode, FluxgateError } from '../../domain/errors.ts';
import { GUESS_LIKE_SESSION_FAILURES, SessionFailure, type SessionFailureReason } from './session-failure.ts';

/** The authentication outcome of a refused sign-in: its reason, prefixed, as /metrics counts it. */
export type SessionOutcome = `session_${SessionFailureReason}`;

export const GUESS_LIKE_SESSION_OUTCOMES: ReadonlySet<string> = new Set(
  [...GUESS_LIKE_SESSION_FAILURES].map((reason) => `session_${reason}`),
);

function codeOf(reason: SessionFailureReason): ErrorCode {
  switch (reason) {
    case 'expired':
    case 'not_yet_valid':
      return 'SESSION_EXPIRED';
    case 'user_unknown':
    case 'user_disabled':
    case 'no_group':
      return 'USER_NOT_ALLOWED';
    case 'provider_unavailable':
      return 'IDENTITY_PROVIDER_UNAVAILABLE';
    default:
      return 'SESSION_INVALID';
  }
}

/** A refused sign-in as the faces see it: 401 (503 while the provider is unreachable) with the reason. */
export function sessionError(error: unknown): unknown {
  if (!(error instanceof SessionFailure)) return error;
  return new FluxgateError(codeOf(error.reason), error.message, { reason: `session_${error.reason}` });
}
