import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { Scope } from '../api';
import { localDate, localTime, localTimeOfDay, money, moneyExact } from '../format';
import { can, useSession } from '../session';

/** A moment in local time, its ISO text in the title; in a narrow column it breaks between the date and the time, nowhere else. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>—</span>;
  const date = localDate(iso);
  if (date === null) return <time dateTime={iso}>{localTime(iso)}</time>;
  return (
    <time dateTime={iso} title={iso} className="moment">
      <span>{date},</span> <span>{localTimeOfDay(iso)}</span>
    </time>
  );
}

/** An amount to the currency's cent; the exact amount, when it has more decimals, in its title. */
export function Money({ amount, currency }: { amount: string | null | undefined; currency?: string | null }) {
  const shown = money(amount, currency);
  const exact = moneyExact(amount, currency);
  return (
    <span className="num" title={exact === shown ? undefined : `Exactly ${exact}`}>
      {shown}
    </span>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: string | null; onRetry?: () => void }) {
  if (error === null) return null;
  return (
    <div className="state error" role="alert">
      <strong>Something went wrong.</strong> {error}
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A passing message (what an action did); nothing when there is none. */
export function Notice({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === false || children === '') return null;
  return (
    <p className="state info" role="status">
      {children}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

const TONES: Record<string, string> = {
  accepted: 'good',
  succeeded: 'good',
  enabled: 'good',
  duplicate: 'neutral',
  pending: 'warn',
  delivering: 'info',
  paused: 'warn',
  rejected: 'bad',
  failed: 'bad',
  disabled: 'neutral',
  revoked: 'neutral',
  // Fraud review and the checks' actions.
  held: 'warn',
  flagged: 'warn',
  approved: 'good',
  hold: 'warn',
  flag: 'info',
  off: 'neutral',
  // "Where is my reward?"
  credited: 'good',
  waiting: 'info',
  reversed: 'bad',
  // A dashboard test postback and its deliveries.
  test: 'info',
  // A user's goals.
  completed: 'good',
  in_progress: 'info',
  not_started: 'neutral',
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return <span className={`badge ${TONES[value] ?? 'neutral'}`}>{label ?? value}</span>;
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain HTTP): select a hidden field's text instead.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" className="small" onClick={() => void copy()} aria-label={`${label}: ${text}`}>
      {copied ? 'Copied' : label}
    </button>
  );
}

/** A value to copy, shown in full. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={value} />
      </div>
    </div>
  );
}

/** A secret shown once, with the warning that it will not be shown again. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  return (
    <Dialog title={label} open onClose={onDone}>
      <p className="warning">Copy it now: the hub keeps it encrypted or hashed and will not show it again.</p>
      <CopyField label="Secret" value={secret} />
      <div className="actions">
        <button type="button" className="primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}

/**
 * Where focus last was outside a dialog. A button disabled while its action runs (Test endpoint)
 * hands focus to the page before the dialog it opens appears: that dialog gives focus back here.
 */
let lastFocused: HTMLElement | null = null;
document.addEventListener('focusin', (event) => {
  if (event.target instanceof HTMLElement && event.target.closest('dialog') === null) lastFocused = event.target;
});

/** A modal on the native <dialog>: focus kept inside, Escape closes, focus back on what opened it. */
export function Dialog({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null || !open) return;
    const focused = document.activeElement;
    const opener = focused instanceof HTMLElement && focused !== document.body && !dialog.contains(focused) ? focused : lastFocused?.isConnected ? lastFocused : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      // Most dialogs are unmounted to close, and a <dialog> removed from the page leaves focus on
      // the body: a keyboard user would start again from the top.
      const now = document.activeElement;
      if (opener?.isConnected && (now === null || now === document.body || dialog.contains(now))) opener.focus();
    };
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'wide' : undefined}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  );
}

/** A dialog form's buttons: extra ones (children) on the left, then Cancel and the submit button. */
export function FormActions({ busy, label, busyLabel, onCancel, cancel = 'Cancel', children }: { busy: boolean; label: string; busyLabel: string; onCancel: () => void; cancel?: string; children?: ReactNode }) {
  return (
    <div className="actions">
      {children}
      <span className="spacer" />
      <button type="button" onClick={onCancel}>
        {cancel}
      </button>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}

export function Pager(props: { page: number; hasPrevious: boolean; hasNext: boolean; previous: () => void; next: () => void; first: () => void; loading?: boolean; count: number }) {
  if (!props.hasPrevious && !props.hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="small" onClick={props.first} disabled={!props.hasPrevious || props.loading}>
        First
      </button>
      <button type="button" className="small" onClick={props.previous} disabled={!props.hasPrevious || props.loading}>
        ← Previous
      </button>
      <span aria-live="polite">
        Page {props.page} · {props.count} shown
      </span>
      <button type="button" className="small" onClick={props.next} disabled={!props.hasNext || props.loading}>
        Next →
      </button>
    </nav>
  );
}

export function Field({ label, hint, children, error }: { label: string; hint?: ReactNode; children: (id: string, describedBy: string | undefined) => ReactNode; error?: string | null }) {
  const id = useId();
  const hintId = hint || error ? `${id}-hint` : undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {(hint || error) && (
        <small id={hintId} className={error ? 'field-error' : 'hint'}>
          {error ?? hint}
        </small>
      )}
    </div>
  );
}

export function KeyValues({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="kv">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Code({ children }: { children: string }) {
  return (
    <pre className="code" tabIndex={0}>
      <code>{children}</code>
    </pre>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** A question before a change that cannot be undone: the dialog's own Confirm and Cancel. */
export function ConfirmDialog({ title, confirm, busy, error, onConfirm, onClose, children }: { title: string; confirm: string; busy: boolean; error?: string | null; onConfirm: () => void; onClose: () => void; children: ReactNode }) {
  return (
    <Dialog title={title} open onClose={onClose}>
      <div className="confirm-text">{children}</div>
      <ErrorBox error={error ?? null} />
      <div className="actions">
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** Said on a page the caller may read but not change, so that missing buttons are not a puzzle. */
export function ReadOnlyNote({ scope, children }: { scope: Scope; children: ReactNode }) {
  const session = useSession();
  if (can(session, scope)) return null;
  return (
    <p className="hint read-only-note">
      {session.role === null ? 'This key' : `Your role (${session.role})`} {children}; an admin or an owner can.
    </p>
  );
}
