import type { SessionInfo } from '../api/types.ts';

export type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; ended?: string }
  | { kind: 'signed-in'; session: SessionInfo };

export const SIGNED_OUT_MESSAGE = 'You signed out.';

/**
 * The state after the session ends. A sign-out the user asked for always says so. A session lost
 * (a request answered 401) ends a session that is still on, but it does not replace the message of
 * one already ended: requests still in flight when the user signs out come back 401 after it, and
 * must not turn "You signed out." into "Your session ended".
 */
export function sessionEnded(previous: SessionState, why: 'signed-out' | { lost: string }): SessionState {
  if (why === 'signed-out') return { kind: 'signed-out', ended: SIGNED_OUT_MESSAGE };
  if (previous.kind === 'signed-out') return previous;
  return { kind: 'signed-out', ended: why.lost };
}
