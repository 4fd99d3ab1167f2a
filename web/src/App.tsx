import { useEffect, useRef, useState } from 'react';
import { currentSession, errorText, getToken, setUnauthorizedListener, signOut, type Scope, type Session } from './api';
import { AccountMenu } from './components/AccountMenu';
import { Loading, Notice } from './components/ui';
import { Link, navigate, useLocation } from './router';
import { SCOPES } from './roles';
import { can, SessionProvider } from './session';
import { SignIn } from './pages/SignIn';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { OperatorsPage } from './pages/operators/OperatorsPage';
import { Overview } from './pages/Overview';
import { SourcesPage } from './pages/sources/SourcesPage';
import { EventsPage } from './pages/events/EventsPage';
import { EventDetail } from './pages/events/EventDetail';
import { DestinationsPage } from './pages/destinations/DestinationsPage';
import { History } from './pages/History';
import { UsersPage } from './pages/users/UsersPage';
import { GoalsPage } from './pages/goals/GoalsPage';
import { CatalogPage } from './pages/catalog/CatalogPage';
import { Reports } from './pages/Reports';
import { Fraud } from './pages/Fraud';
import { AuditLog } from './pages/AuditLog';
import { AlertsPage } from './pages/alerts/AlertsPage';

const NAV: Array<{ to: string; label: string; scope: Scope }> = [
  { to: '/', label: 'Overview', scope: 'reports:read' },
  { to: '/sources', label: 'Sources', scope: 'config:read' },
  { to: '/events', label: 'Events', scope: 'data:read' },
  { to: '/reports', label: 'Reports', scope: 'reports:read' },
  { to: '/fraud', label: 'Fraud policy', scope: 'config:read' },
  { to: '/destinations', label: 'Destinations', scope: 'config:read' },
  { to: '/history', label: 'Postback history', scope: 'data:read' },
  { to: '/users', label: 'Users & ledger', scope: 'data:read' },
  { to: '/goals', label: 'Goals', scope: 'config:read' },
  { to: '/catalog', label: 'Catalog', scope: 'config:read' },
  { to: '/audit', label: 'Audit log', scope: 'audit:read' },
  { to: '/alerts', label: 'Alerts', scope: 'config:read' },
  { to: '/operators', label: 'Operators', scope: 'operators:manage' },
];

/**
 * Signed in or not: asked of the hub at start-up (the token this tab holds, else the session
 * cookie); the invitation page stands outside the shell.
 */
export function App() {
  const { path } = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  // Sign-in opens the way the last session came in: a refused token is asked for again as a token.
  const [withToken, setWithToken] = useState(() => getToken() !== null);
  const accepting = path === '/accept';
  useEffect(() => {
    setUnauthorizedListener((message) => {
      setNotice(message);
      setSession(null);
    });
    if (accepting) return;
    currentSession()
      .then((found) => {
        if (found.session === null && found.ended) setNotice('Your session has ended; sign in again.');
        setSession(found.session);
      })
      .catch((e: unknown) => {
        setNotice(errorText(e));
        setSession(null);
      });
    // Asked once, at start-up: later refusals come through the listener.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const signedIn = (next: Session) => {
    setNotice(null);
    setWithToken(next.kind === 'key');
    setSession(next);
  };
  if (accepting) {
    return (
      <AcceptInvitation
        onAccepted={(next) => {
          signedIn(next);
          // The invitation's token leaves the address bar and the history.
          navigate('/', { replace: true });
        }}
      />
    );
  }
  if (session === undefined) {
    return (
      <main className="sign-in">
        <Loading what="Opening the dashboard" />
      </main>
    );
  }
  if (session === null) return <SignIn notice={notice} onSignedIn={signedIn} withToken={withToken} />;
  return (
    <SessionProvider value={session}>
      <Shell
        session={session}
        onSignOut={() => {
          void signOut()
            .catch(() => undefined)
            .then(() => {
              navigate('/', { replace: true });
              setNotice('Signed out.');
              setSession(null);
            });
        }}
      />
    </SessionProvider>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);
  const section = `/${path.split('/')[1] ?? ''}`;
  const nav = NAV.filter((item) => can(session, item.scope));
  useEffect(() => {
    setMenuOpen(false);
    // A new page: move focus to its heading, as a page load would.
    const heading = main.current?.querySelector('h1');
    if (heading instanceof HTMLElement && document.activeElement !== document.body) heading.focus({ preventScroll: true });
  }, [path]);
  const current = NAV.find((n) => n.to === section);
  useEffect(() => {
    document.title = `${current?.label ?? 'Postback Hub'} · Postback Hub`;
  }, [current?.label]);
  // The overview is the first page only for those who may read it (finance and support may; a narrow key may not).
  const home = nav[0]?.to ?? null;
  useEffect(() => {
    if (path === '/' && home !== null && home !== '/') navigate(home, { replace: true });
  }, [path, home]);
  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
          <span aria-hidden="true">☰</span> Menu
        </button>
        <span className="brand">
          <span className="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Postback Hub
        </span>
        <span className="spacer" />
        <AccountMenu session={session} onSignOut={onSignOut} onPasswordChanged={setMessage} />
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Dashboard">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Postback Hub
        </div>
        <ul>
          {nav.map((item) => (
            <li key={item.to}>
              <Link to={item.to} aria-current={item.to === section ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <a href="/docs" target="_blank" rel="noreferrer">
            API documentation
          </a>
        </div>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Notice>{message}</Notice>
        {current !== undefined && !can(session, current.scope) ? <NotAllowed label={current.label} scope={current.scope} /> : <Page path={path} />}
      </main>
    </div>
  );
}

/** A page the caller's role cannot read, reached by its address: said plainly rather than a page of errors. */
function NotAllowed({ label, scope }: { label: string; scope: Scope }) {
  return (
    <div>
      <h1 tabIndex={-1}>{label}</h1>
      <p className="state info">
        Your role does not include this page: it needs the <code>{scope}</code> scope ({SCOPES[scope]}). An owner can change your role.
      </p>
    </div>
  );
}

function Page({ path }: { path: string }) {
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case undefined:
      return <Overview />;
    case 'sources':
      return <SourcesPage />;
    case 'events':
      return parts[1] ? <EventDetail id={decodeURIComponent(parts[1])} /> : <EventsPage />;
    case 'destinations':
      return <DestinationsPage />;
    case 'history':
      return <History />;
    case 'users':
      return <UsersPage />;
    case 'goals':
      return <GoalsPage />;
    case 'catalog':
      return <CatalogPage />;
    case 'reports':
      return <Reports />;
    case 'fraud':
      return <Fraud />;
    case 'audit':
      return <AuditLog />;
    case 'alerts':
      return <AlertsPage />;
    case 'operators':
      return <OperatorsPage />;
    default:
      return (
        <div>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no page at <code>/admin{path}</code>.{' '}
            <button type="button" className="link-button" onClick={() => navigate('/')}>
              Go to the overview
            </button>
          </p>
        </div>
      );
  }
}
