import { useIsFetching, usePrefetchQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useSearchParams } from 'react-router';
import { clearSignOutReason } from './api/client.js';
import { sessionsQuery, usageQuery, useMe } from './api/queries.js';
import { useToken } from './api/token.js';
import type { User } from './api/types.js';
import { Layout } from './components/Layout.js';
import { ErrorState, Loading } from './components/States.js';
import { listQueryOf } from './components/useListParams.js';
import { browserTimeZone } from './lib/format.js';
import { defaultBucket, USAGE_DEFAULT_RANGE } from './lib/range.js';
import { AuditPage } from './pages/AuditPage.js';
import { BudgetsPage } from './pages/BudgetsPage.js';
import { CliLoginPage } from './pages/CliLoginPage.js';
import { ConnectPage } from './pages/ConnectPage.js';
import { GroupsPage } from './pages/GroupsPage.js';
import { ProvidersPage } from './pages/ProvidersPage.js';
import { RequestsPage } from './pages/RequestsPage.js';
import { SessionPage } from './pages/SessionPage.js';
import { SessionsPage } from './pages/SessionsPage.js';
import { SignIn } from './pages/SignIn.js';
import { SpendPage } from './pages/SpendPage.js';
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
  // Fetch the charts' code once the page in view has its data, so it never competes with it.
  const fetching = useIsFetching();
  useEffect(() => {
    if (fetching > 0) return;
    const timer = setTimeout(() => void loadUsagePage(), 300);
    return () => clearTimeout(timer);
  }, [fetching]);
  return (
    <Layout me={me}>
      <Routes>
        <Route path="/" element={<Navigate to="/sessions" replace />} />
        <Route path="/sessions" element={<SessionsPage me={me} />} />
        <Route path="/cli-login" element={<CliLoginPage me={me} />} />
        <Route path="/sessions/:id" element={<SessionPage />} />
        <Route path="/requests" element={<RequestsPage me={me} />} />
        <Route path="/usage" element={<UsageRoute me={me} />} />
        <Route path="/spend" element={<SpendPage me={me} />} />
        <Route path="/budgets" element={<BudgetsPage me={me} />} />
        <Route path="/groups" element={<GroupsPage me={me} />} />
        <Route path="/connect" element={<ConnectPage me={me} />} />
        <Route path="/users" element={me.role === 'owner' ? <UsersPage me={me} /> : <NoAccess />} />
        <Route path="/providers" element={me.role === 'owner' ? <ProvidersPage /> : <NoAccess />} />
        <Route path="/audit" element={me.role === 'member' ? <NoAccess /> : <AuditPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}

/**
 * The usage page loads its charts' code apart; its data is asked for at once, alongside the
 * code rather than after it (same query as the page's own, so the page finds it cached).
 */
function UsageRoute({ me }: { me: User }) {
  const [search] = useSearchParams();
  const { range, apiQuery } = listQueryOf(search, USAGE_DEFAULT_RANGE);
  // During render, not in an effect: the route renders in a transition that waits for the
  // charts' code before committing, so an effect would only run once that code is here.
  usePrefetchQuery(usageQuery(apiQuery, defaultBucket(range), browserTimeZone()));
  return (
    <Suspense fallback={<Loading active />}>
      <UsagePage me={me} />
    </Suspense>
  );
}

/** Renders its page for the signed-in user, or sends the browser to sign in first. */
function SignedIn({ render }: { render: (me: User) => ReactNode }) {
  const token = useToken();
  const location = useLocation();
  const me = useMe(token);
  usePrefetchHome(token, location);
  // Signed in again: the sign-in page stops saying why the previous session ended.
  useEffect(() => {
    if (me.data) clearSignOutReason();
  }, [me.data]);
  if (!token) {
    return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  if (me.data) return render(me.data);
  if (me.isError) return <ErrorState error={me.error} retry={() => me.refetch()} />;
  return <Loading active label="Signing in…" />;
}

/**
 * Opening the dashboard on the sessions page asks for its first page alongside the sign-in
 * check instead of after it: the home page shows up one round trip sooner.
 */
function usePrefetchHome(token: string | null, location: { pathname: string; search: string }) {
  const client = useQueryClient();
  const [initial] = useState(location);
  useEffect(() => {
    if (!token || !['/', '/sessions'].includes(initial.pathname)) return;
    const { apiQuery, after } = listQueryOf(new URLSearchParams(initial.search), 'all');
    void client.prefetchQuery(sessionsQuery(apiQuery, after));
  }, [client, token, initial]);
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
