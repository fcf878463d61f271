/**
 * Why a provider's JWT was refused. Each reason is a label of the sign-in failure counter; the
 * guess-like ones (anything a forger or a misconfigured client produces) count towards the
 * per-source throttle, as unknown fluxgate tokens do.
 */
export const SESSION_FAILURE_REASONS = [
  'malformed_jwt',
  'bad_algorithm',
  'wrong_issuer',
  'wrong_audience',
  'unknown_key',
  'bad_signature',
  'missing_claim',
  'expired',
  'not_yet_valid',
  'provider_unavailable',
  'user_unknown',
  'user_disabled',
  'no_group',
] as const;

export type SessionFailureReason = (typeof SESSION_FAILURE_REASONS)[number];

export const GUESS_LIKE_SESSION_FAILURES: ReadonlySet<SessionFailureReason> = new Set([
  'malformed_jwt',
  'bad_algorithm',
  'wrong_issuer',
  'wrong_audience',
  'unknown_key',
  'bad_signature',
  'missing_claim',
]);

export class SessionFailure extends Error {
  constructor(
    readonly reason: SessionFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'SessionFailure';
  }
}
