import { api, request, setCsrfToken } from './client.ts';
import type { SessionInfo, SignInOptions } from './types.ts';

/** The server exchanges the pasted token for an HttpOnly session cookie; the token is not kept here. */
export async function signInWithToken(token: string): Promise<SessionInfo> {
  const session = (await request<SessionInfo>('POST', '/console/api/session', { json: { token } })).body;
  setCsrfToken(session.csrfToken);
  return session;
}

/** The session the cookie stands for, if any (after a reload, or after the identity provider sent us back). */
export async function currentSession(): Promise<SessionInfo | undefined> {
  try {
    const session = await api.get<SessionInfo>('/console/api/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof Error && 'status' in error && error.status === 401) return undefined;
    throw error;
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.delete('/console/api/session');
  } finally {
    setCsrfToken(undefined);
  }
}

export function signInOptions(): Promise<SignInOptions> {
  return api.get<SignInOptions>('/console/api/sign-in-options');
}
