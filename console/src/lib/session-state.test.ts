import { describe, expect, test } from 'vitest';
import type { SessionInfo } from '../api/types.ts';
import { type SessionState, SIGNED_OUT_MESSAGE, sessionEnded } from './session-state.ts';

const signedIn: SessionState = { kind: 'signed-in', session: {} as SessionInfo };

describe('the state after a session ends', () => {
  test('signing out says so, whatever ended the session first', () => {
    expect(sessionEnded(signedIn, 'signed-out')).toEqual({ kind: 'signed-out', ended: SIGNED_OUT_MESSAGE });
    const lost = sessionEnded(signedIn, { lost: 'Your session ended: revoked' });
    expect(sessionEnded(lost, 'signed-out')).toEqual({ kind: 'signed-out', ended: SIGNED_OUT_MESSAGE });
  });

  test('a session lost while signed in ends it with the reason', () => {
    expect(sessionEnded(signedIn, { lost: 'Your session ended: expired' })).toEqual({
      kind: 'signed-out',
      ended: 'Your session ended: expired',
    });
    expect(sessionEnded({ kind: 'loading' }, { lost: 'Your session ended: x' })).toEqual({
      kind: 'signed-out',
      ended: 'Your session ended: x',
    });
  });

  test('a 401 that comes back after the sign-out keeps "You signed out."', () => {
    const out = sessionEnded(signedIn, 'signed-out');
    expect(sessionEnded(out, { lost: 'Your session ended: invalid session' })).toBe(out);
  });
});
