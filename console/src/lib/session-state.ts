import type { SessionInfo } from '../api/types.ts';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; ended?: string }
  | { kind: 'signed-in'; session: SessionInfo };

/** Why a session ended: the user signed out, or a request was answered 401 (with the message to show). */
export type SessionEnd = 'signed-out' | { lost: string };

export const SIGNED_OUT_MESSAGE = 'You signed out.';

/**
 * The state after the session ends. A sign-out the user asked for always says so. A session lost
 * (a request answered 401) ends a session that is still on, but it does not replace the message of
 * one already ended: requests still in flight when the user signs out come back 401 after it, and
 * must not turn "You signed out." into "Your session ended".
 */
export function sessionEnded(previous: SessionState, why: SessionEnd): SessionState {
  if (why === 'signed-out') return { kind: 'signed-out', ended: SIGNED_OUT_MESSAGE };
  if (previous.kind === 'signed-out') return previous;
  return { kind: 'signed-out', ended: why.lost };
}
