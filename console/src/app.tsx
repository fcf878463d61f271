import { useCallback, useEffect, useState } from 'react';
import { setSessionLostHandler } from './api/client.ts';
import { currentSession, signOut } from './api/session.ts';
import type { SessionInfo } from './api/types.ts';
import { Sidebar } from './components/sidebar.tsx';
import { navigate, usePath } from './lib/router.ts';
import { type SessionEnd, type SessionState, sessionEnded } from './lib/session-state.ts';
import { AdminTokensPage } from './pages/admin-tokens.tsx';
import { AuditLogPage } from './pages/audit-log.tsx';
import { DatabaseTokensPage } from './pages/database-tokens.tsx';
import { DatabasesPage } from './pages/databases.tsx';
import { ManagementTokensPage } from './pages/management-tokens.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { UsersPage } from './pages/users.tsx';
import { type PagePath, pageFor, SIGN_IN_PATH } from './routes.ts';

export function App() {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const path = usePath();

  const ended = useCallback((why: SessionEnd) => {
    setState((previous) => sessionEnded(previous, why));
    navigate(SIGN_IN_PATH, { replace: true });
  }, []);

  useEffect(() => {
    setSessionLostHandler((error) => ended({ lost: `Your session ended: ${error.message}` }));
    currentSession().then(
      (session) => setState(session === undefined ? { kind: 'signed-out' } : { kind: 'signed-in', session }),
      () => setState({ kind: 'signed-out', ended: 'The server could not be reached.' }),
    );
    return () => setSessionLostHandler(undefined);
  }, [ended]);

  useEffect(() => {
    if (state.kind === 'signed-out' && path !== SIGN_IN_PATH) navigate(SIGN_IN_PATH, { replace: true });
    if (state.kind === 'signed-in' && (path === SIGN_IN_PATH || path === '/')) navigate('/overview', { replace: true });
  }, [state.kind, path]);

  if (state.kind === 'loading') return <p className="loading">Loading…</p>;
  if (state.kind === 'signed-out') {
    return <SignInPage ended={state.ended} onSignedIn={(session) => setState({ kind: 'signed-in', session })} />;
  }
  const page = pageFor(path);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar
        current={page}
        session={state.session}
        onSignOut={() => {
          signOut().finally(() => ended('signed-out'));
        }}
      />
      <main className="content" id="main" tabIndex={-1}>
        <PageBody page={page} session={state.session} />
      </main>
    </div>
  );
}

function PageBody({ page, session }: { page: PagePath; session: SessionInfo }) {
  switch (page) {
    case '/overview':
      return <OverviewPage />;
    case '/databases':
      return <DatabasesPage />;
    case '/database-tokens':
      return <DatabaseTokensPage />;
    case '/management-tokens':
      return <ManagementTokensPage session={session} />;
    case '/admin-tokens':
      return <AdminTokensPage session={session} />;
    case '/users':
      return <UsersPage />;
    case '/audit-log':
      return <AuditLogPage />;
  }
}
