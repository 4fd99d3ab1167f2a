import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText, type Invitation, type Role } from '../../api';
import { CopyField, Dialog, ErrorBox, Field, FormActions } from '../../components/ui';
import { ROLE_WORDS, ROLES } from '../../roles';

/** The role to choose, each with what it may do in the hub's words. */
export function RoleChoices({ value, onChange }: { value: Role; onChange: (role: Role) => void }) {
  return (
    <fieldset className="role-choices">
      <legend>Role</legend>
      {ROLES.map((role) => (
        <label key={role} className="choice">
          <input type="radio" name="role" value={role} checked={value === role} onChange={() => onChange(role)} />
          <span>
            <strong>{role}</strong>
            <span className="hint">{ROLE_WORDS[role]}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** An invitation's link, shown this once: the hub keeps only its hash. */
export function InvitationLink({ invitation, onDone }: { invitation: Invitation; onDone: () => void }) {
  return (
    <Dialog title={`Invitation for ${invitation.operator.email}`} open onClose={onDone}>
      <p>
        Pass this link on to <strong>{invitation.operator.email}</strong> ({invitation.operator.role}): they open it, set a password and are signed in. It works once, for 7 days.
      </p>
      <p className="warning">Copy it now: the hub will not show it again (a new link can be made while the invitation is pending).</p>
      <CopyField label="Invitation link" value={invitation.inviteUrl} />
      <div className="actions">
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Dialog>
  );
}

/** Invite an operator: an email and a role; answers the invitation with its link. */
export function InviteDialog({ onClose, onInvited }: { onClose: () => void; onInvited: (invitation: Invitation) => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [problem, setProblem] = useState<{ field: 'email' | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      onInvited(await api<Invitation>('/operators', { body: { email: email.trim(), role } }));
    } catch (e) {
      setProblem({ field: e instanceof ApiError && e.field === 'email' ? 'email' : null, message: errorText(e) });
      setBusy(false);
    }
  };
  const emailError = problem?.field === 'email' ? problem.message : null;
  return (
    <Dialog title="Invite an operator" open onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Email" hint="They sign in with it. The hub sends no mail: you pass the link on." error={emailError}>
          {(id, d) => <input id={id} type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={emailError !== null} aria-describedby={d} autoFocus required />}
        </Field>
        <RoleChoices value={role} onChange={setRole} />
        <ErrorBox error={problem?.field === null ? problem.message : null} />
        <FormActions busy={busy} label="Invite" busyLabel="Inviting…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
