import { useEffect, useRef, useState, type FormEvent } from 'react';
import { checkToken, errorText, getToken, setToken, setUnauthorizedListener } from './api';
import { Notice } from './components/ui';
import { Link, navigate, useLocation } from './router';
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

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/sources', label: 'Sources' },
  { to: '/events', label: 'Events' },
  { to: '/reports', label: 'Reports' },
  { to: '/fraud', label: 'Fraud policy' },
  { to: '/destinations', label: 'Destinations' },
  { to: '/history', label: 'Postback history' },
  { to: '/users', label: 'Users & ledger' },
  { to: '/goals', label: 'Goals' },
  { to: '/catalog', label: 'Catalog' },
  { to: '/audit', label: 'Audit log' },
  { to: '/alerts', label: 'Alerts' },
];

export function App() {
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    setUnauthorizedListener((message) => {
      setToken(null);
      setNotice(message);
      setSignedIn(false);
    });
  }, []);
  if (!signedIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={() => {
          setNotice(null);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <Shell
      onSignOut={() => {
        setToken(null);
        setNotice('Signed out.');
        setSignedIn(false);
      }}
    />
  );
}

function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: () => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError('Type the admin token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await checkToken(value);
      setToken(value);
      onSignedIn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-describedby="sign-in-help">
        <h1>
          <span className="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Postback Hub
        </h1>
        <Notice>{notice}</Notice>
        <label htmlFor="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="admin-token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby="sign-in-error sign-in-help"
          autoFocus
        />
        <p id="sign-in-help" className="hint">
          The hub printed it on first start and keeps it in <code>data/admin-token</code> (or <code>ADMIN_TOKEN</code>). It stays in this tab only and is
          forgotten when the tab closes.
        </p>
        <p id="sign-in-error" className="field-error" role="alert">
          {error}
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const section = `/${path.split('/')[1] ?? ''}`;
  useEffect(() => {
    setMenuOpen(false);
    // A new page: move focus to its heading, as a page load would.
    const heading = main.current?.querySelector('h1');
    if (heading instanceof HTMLElement && document.activeElement !== document.body) heading.focus({ preventScroll: true });
  }, [path]);
  const current = NAV.find((n) => n.to === section) ?? NAV[0]!;
  useEffect(() => {
    document.title = `${current.label} · Postback Hub`;
  }, [current.label]);
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
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Dashboard">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Postback Hub
        </div>
        <ul>
          {NAV.map((item) => (
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
          <button type="button" className="small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Page path={path} />
      </main>
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
