import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe } from './api/queries.js';
import { useToken } from './api/token.js';
import type { User } from './api/types.js';
import { Layout } from './components/Layout.js';
import { ErrorState, Loading } from './components/States.js';
import { RequestsPage } from './pages/RequestsPage.js';
import { SessionPage } from './pages/SessionPage.js';
import { SessionsPage } from './pages/SessionsPage.js';
import { SignIn } from './pages/SignIn.js';
import { UsersPage } from './pages/UsersPage.js';

// The charts library is the largest dependency: it loads apart, once the first page is up.
const loadUsagePage = () => import('./pages/UsagePage.js');
const UsagePage = lazy(() => loadUsagePage().then((m) => ({ default: m.UsagePage })));

/** The dashboard's routes; everything but sign-in needs a token the server accepts. */
export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignIn />} />
      <Route path="*" element={<SignedIn render={(me) => <Pages me={me} />} />} />
    </Routes>
  );
}

function Pages({ me }: { me: User }) {
  useEffect(() => {
    void loadUsagePage();
  }, []);
  return (
    <Layout me={me}>
      <Routes>
        <Route path="/" element={<Navigate to="/sessions" replace />} />
        <Route path="/sessions" element={<SessionsPage me={me} />} />
        <Route path="/sessions/:id" element={<SessionPage />} />
        <Route path="/requests" element={<RequestsPage me={me} />} />
        <Route
          path="/usage"
          element={
            <Suspense fallback={<Loading active />}>
              <UsagePage me={me} />
            </Suspense>
          }
        />
        <Route path="/users" element={me.role === 'owner' ? <UsersPage me={me} /> : <NoAccess />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}

/** Renders its page for the signed-in user, or sends the browser to sign in first. */
function SignedIn({ render }: { render: (me: User) => ReactNode }) {
  const token = useToken();
  const location = useLocation();
  const me = useMe(token);
  if (!token) {
    return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  if (me.data) return render(me.data);
  if (me.isError) return <ErrorState error={me.error} retry={() => me.refetch()} />;
  return <Loading active label="Signing in…" />;
}

function NotFound() {
  return (
    <div className="state">
      <h1>Page not found</h1>
      <p>
        <Link to="/sessions">Go to sessions</Link>
      </p>
    </div>
  );
}

function NoAccess() {
  return (
    <div className="state state-error" role="alert">
      <h1>No access</h1>
      <p>Only owners manage users and tokens.</p>
    </div>
  );
}
