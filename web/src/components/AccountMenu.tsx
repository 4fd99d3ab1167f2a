import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, type Session } from '../api';
import { Dialog, ErrorBox, Field, FormActions } from './ui';

/** Who is signed in, in words: an operator's email and role, the admin token, or a key's name. */
function who(session: Session): { name: string; detail: string } {
  if (session.kind === 'operator') return { name: session.name, detail: session.role ?? '' };
  if (session.name === 'admin token') return { name: 'admin token', detail: 'owner key' };
  return { name: session.name, detail: 'admin API key' };
}

/** The top bar's account button: who is signed in, and a menu to change the password or sign out. */
export function AccountMenu({ session, onSignOut, onPasswordChanged }: { session: Session; onSignOut: () => void; onPasswordChanged: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [changing, setChanging] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const { name, detail } = who(session);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div className="account" ref={root}>
      <button ref={button} type="button" className="account-button" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen((o) => !o)} aria-label={`Account: ${name}, ${detail}`}>
        <span className="account-name">{name}</span>
        <span className="account-role">{detail}</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id={menuId} className="account-menu">
          {session.kind === 'operator' && (
            <li>
              <button
                type="button"
                onClick={() => {
                  // The menu item goes with the menu: the dialog hands focus back to the account button.
                  button.current?.focus();
                  setOpen(false);
                  setChanging(true);
                }}
              >
                Change password
              </button>
            </li>
          )}
          <li>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </li>
        </ul>
      )}
      {changing && (
        <ChangePassword
          onClose={() => setChanging(false)}
          onDone={() => {
            setChanging(false);
            onPasswordChanged('Password changed: your other sessions are signed out.');
          }}
        />
      )}
    </div>
  );
}

type Problem = { field: 'currentPassword' | 'newPassword' | 'confirm' | null; message: string };

function ChangePassword({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (next !== confirm) {
      setProblem({ field: 'confirm', message: 'The two new passwords differ: type the same one twice.' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api('/session/password', { body: { currentPassword: current, newPassword: next } });
      onDone();
    } catch (e) {
      const field = e instanceof ApiError && (e.field === 'currentPassword' || e.field === 'newPassword') ? e.field : null;
      setProblem({ field, message: errorText(e) });
      setBusy(false);
    }
  };
  const errorOf = (field: Problem['field']) => (problem?.field === field ? problem.message : null);
  const input = (field: 'currentPassword' | 'newPassword' | 'confirm', value: string, set: (v: string) => void) =>
    function PasswordInput(id: string, describedBy: string | undefined) {
      return (
        <input
          id={id}
          type="password"
          autoComplete={field === 'currentPassword' ? 'current-password' : 'new-password'}
          value={value}
          onChange={(e) => set(e.target.value)}
          aria-invalid={errorOf(field) !== null}
          aria-describedby={describedBy}
          autoFocus={field === 'currentPassword'}
        />
      );
    };
  return (
    <Dialog title="Change password" open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Current password" error={errorOf('currentPassword')}>
          {input('currentPassword', current, setCurrent)}
        </Field>
        <Field label="New password" hint="At least 12 characters. Your other sessions are signed out; this one stays." error={errorOf('newPassword')}>
          {input('newPassword', next, setNext)}
        </Field>
        <Field label="Confirm the new password" error={errorOf('confirm')}>
          {input('confirm', confirm, setConfirm)}
        </Field>
        <ErrorBox error={problem?.field === null ? problem.message : null} />
        <FormActions busy={busy} label="Change password" busyLabel="Changing…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
