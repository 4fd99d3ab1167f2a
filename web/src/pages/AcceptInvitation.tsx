import { useState, type FormEvent } from 'react';
import { acceptInvitation, ApiError, errorText, type Session } from '../api';
import { Field } from '../components/ui';
import { SignInFrame } from './SignIn';

/** The invitation token, from the link an owner passed on (`/admin/accept#token=inv_…`: a fragment never reaches a server's log). */
function tokenOfLink(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

type Problem = { field: 'password' | 'confirm' | null; message: string };

/** Accepting an invitation: the operator sets a password (twice) and is signed in. */
export function AcceptInvitation({ onAccepted }: { onAccepted: (session: Session) => void }) {
  const [token] = useState(tokenOfLink);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 12) return setProblem({ field: 'password', message: 'At least 12 characters: a few words you will remember make a good one.' });
    if (confirm !== password) return setProblem({ field: 'confirm', message: 'The two passwords differ: type the same one twice.' });
    setBusy(true);
    setProblem(null);
    try {
      onAccepted(await acceptInvitation(token, password));
    } catch (e) {
      setProblem({ field: e instanceof ApiError && e.field === 'password' ? 'password' : null, message: errorText(e) });
      setBusy(false);
    }
  };
  const errorOf = (field: Problem['field']) => (problem?.field === field ? problem.message : null);
  if (token === '') {
    return (
      <SignInFrame onSubmit={(e) => e.preventDefault()} label="Accept an invitation">
        <h2>Accept an invitation</h2>
        <p className="field-error" role="alert">
          This link has no invitation in it. Open the whole link you were given, or ask an owner for a new one.
        </p>
        <a href="/admin/">Go to sign-in</a>
      </SignInFrame>
    );
  }
  return (
    <SignInFrame onSubmit={(e) => void submit(e)} label="Accept an invitation">
      <h2>Set your password</h2>
      <p className="hint">You were invited to operate this hub. Choose a password of at least 12 characters; you sign in with it and your email from now on.</p>
      <Field label="New password" error={errorOf('password')}>
        {(id, d) => <input id={id} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={errorOf('password') !== null} aria-describedby={d} autoFocus />}
      </Field>
      <Field label="Confirm the password" error={errorOf('confirm')}>
        {(id, d) => <input id={id} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={errorOf('confirm') !== null} aria-describedby={d} />}
      </Field>
      <p className="field-error" role="alert">
        {problem?.field === null ? problem.message : null}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Set password and sign in'}
      </button>
    </SignInFrame>
  );
}
