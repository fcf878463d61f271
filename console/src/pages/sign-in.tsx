import { useEffect, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { signInOptions, signInWithToken } from '../api/session.ts';
import type { SessionInfo } from '../api/types.ts';
import { Field } from '../components/field.tsx';
import { ErrorNotice, Notice } from '../components/notice.tsx';

interface SignInProps {
  onSignedIn: (session: SessionInfo) => void;
  /** Why the last session ended, when it did. */
  ended?: string | undefined;
}

export function SignInPage({ onSignedIn, ended }: SignInProps) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error>();
  const [oidc, setOidc] = useState(false);
  const providerError = new URLSearchParams(window.location.search).get('error');

  useEffect(() => {
    signInOptions().then(
      (options) => setOidc(options.oidc),
      () => setOidc(false),
    );
  }, []);

  const submit = async () => {
    if (token.trim() === '') {
      setError(new Error('Paste an admin or management token'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const session = await signInWithToken(token.trim());
      setToken('');
      onSignedIn(session);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = error !== undefined && !('status' in error) ? error.message : undefined;
  return (
    <main className="sign-in" id="main">
      <div className="sign-in-card">
        <h1>Sign in to fluxgate</h1>
        {ended === undefined ? null : <Notice kind="info">{ended}</Notice>}
        {providerError === null ? null : (
          <Notice kind="warning">Identity provider sign-in failed: {providerError}</Notice>
        )}
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Field
            label="Token"
            type="password"
            value={token}
            onChange={setToken}
            autoComplete="off"
            spellCheck={false}
            required
            hint="An admin or management token. The server keeps it; this page does not."
            error={fieldError}
          />
          {error !== undefined && 'status' in error ? <ErrorNotice error={error} /> : null}
          <button type="submit" className="button-primary" disabled={busy}>
            Sign in
          </button>
        </form>
        {oidc ? (
          <div className="sign-in-alt">
            <p>or</p>
            {/* A full navigation: the server starts the authorization code flow with PKCE. */}
            <a className="button-secondary" href="/console/api/oidc/start">
              Sign in with your identity provider
            </a>
          </div>
        ) : null}
      </div>
    </main>
  );
}
