import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { forgetSession, getToken, setToken } from '../api/token.js';
import type { User } from '../api/types.js';
import { UserChip } from './UserChip.js';

/** The frame of every signed-in page: brand, navigation, who is signed in, sign-out. */
export function Layout({ me, children }: { me: User; children: ReactNode }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const signOut = async () => {
    // A single sign-on session ends on the server; a pasted token is only forgotten here.
    if (!getToken()) await api('auth/logout', { method: 'POST' }).catch(() => undefined);
    forgetSession();
    setToken(null);
    client.clear();
    navigate('/signin', { replace: true });
  };
  const links: Array<[string, ReactNode]> = [
    ['/sessions', 'Sessions'],
    ['/requests', 'Request log'],
    ['/usage', 'Usage'],
    ['/spend', 'Spend'],
    ['/budgets', 'Budgets'],
    ['/groups', 'Groups'],
    ['/connect', 'Connect'],
  ];
  if (me.role === 'owner') {
    links.push([
      '/users',
      <>
        Users<span className="optional"> &amp; tokens</span>
      </>,
    ]);
    links.push(['/providers', 'Providers']);
  }
  if (me.role === 'owner' || me.role === 'auditor') links.push(['/audit', 'Audit']);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/sessions" className="brand">
          aibridge
        </NavLink>
        <nav aria-label="Main" className="nav">
          {links.map(([to, label]) => (
            <NavLink key={to} to={to} className="nav-link">
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="whoami">
          <UserChip user={me} />
          <span className="role-badge">{me.role}</span>
          <button type="button" className="button button-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
