import { useState, type FormEvent, type ReactNode } from 'react';
import { errorText, signInWithPassword, signInWithToken, type Session } from '../api';
import { Notice } from '../components/ui';

/** The sign-in page's frame: the name, a passing notice, the form. */
export function SignInFrame({ notice, children, onSubmit, label }: { notice?: string | null; children: ReactNode; onSubmit: (event: FormEvent) => void; label: string }) {
  return (
    <main className="sign-in">
      <form onSubmit={onSubmit} aria-label={label} noValidate>
        <h1>
          <span className="logo" aria-hidden="true">
            ⇄
          </span>{' '}
          Postback Hub
        </h1>
        <Notice>{notice}</Notice>
        {children}
      </form>
    </main>
  );
}

/**
 * Sign-in: an operator's email and password by default; the admin token or an admin API key
 * (kept in this tab only) as the other way in, for the first start and for automation's keys.
 */
export function SignIn({ notice, onSignedIn, withToken: tokenFirst = false }: { notice: string | null; onSignedIn: (session: Session) => void; withToken?: boolean }) {
  const [withToken, setWithToken] = useState(tokenFirst);
  return withToken ? <TokenSignIn notice={notice} onSignedIn={onSignedIn} onPassword={() => setWithToken(false)} /> : <PasswordSignIn notice={notice} onSignedIn={onSignedIn} onToken={() => setWithToken(true)} />;
}

function useSignIn(onSignedIn: (session: Session) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const attempt = async (signIn: () => Promise<Session>) => {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn());
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return { error, setError, busy, attempt };
}

function PasswordSignIn({ notice, onSignedIn, onToken }: { notice: string | null; onSignedIn: (session: Session) => void; onToken: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { error, setError, busy, attempt } = useSignIn(onSignedIn);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() === '' || password === '') {
      setError('Type your email and your password.');
      return;
    }
    void attempt(() => signInWithPassword(email.trim(), password));
  };
  return (
    <SignInFrame notice={notice} onSubmit={submit} label="Sign in">
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={error !== null} aria-describedby="sign-in-error" autoFocus />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={error !== null} aria-describedby="sign-in-error" />
      <p id="sign-in-error" className="field-error" role="alert">
        {error}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="hint">
        No account yet? An owner invites you from the Operators page; the first owner is made with <code>postback-hub create-owner</code>.
      </p>
      <div className="sign-in-other">
        <button type="button" className="link-button" onClick={onToken}>
          Sign in with the admin token or an API key
        </button>
      </div>
    </SignInFrame>
  );
}

function TokenSignIn({ notice, onSignedIn, onPassword }: { notice: string | null; onSignedIn: (session: Session) => void; onPassword: () => void }) {
  const [token, setValue] = useState('');
  const { error, setError, busy, attempt } = useSignIn(onSignedIn);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError('Type the admin token or an admin API key.');
      return;
    }
    void attempt(() => signInWithToken(value));
  };
  return (
    <SignInFrame notice={notice} onSubmit={submit} label="Sign in with a token">
      <label htmlFor="admin-token">Admin token or API key</label>
      <input
        id="admin-token"
        name="admin-token"
        type="password"
        autoComplete="off"
        value={token}
        onChange={(e) => setValue(e.target.value)}
        aria-invalid={error !== null}
        aria-describedby="sign-in-error sign-in-help"
        autoFocus
      />
      <p id="sign-in-help" className="hint">
        The hub printed the admin token on first start and keeps it in <code>data/admin-token</code> (or <code>ADMIN_TOKEN</code>); an admin API key starts with <code>phk_</code>. It stays in this
        tab only and is forgotten when the tab closes.
      </p>
      <p id="sign-in-error" className="field-error" role="alert">
        {error}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
      <div className="sign-in-other">
        <button type="button" className="link-button" onClick={onPassword}>
          Sign in with email and password
        </button>
      </div>
    </SignInFrame>
  );
}
