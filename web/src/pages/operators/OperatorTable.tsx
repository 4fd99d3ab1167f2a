import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { api, type Invitation, type Operator, type Role, type Session } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Badge, ConfirmDialog, Empty, ErrorBox, Loading, Notice, Pager, Time } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';
import { ROLES } from '../../roles';
import { useSession } from '../../session';
import { InvitationLink, InviteDialog } from './InviteDialog';

/** Operators and pending invitations: invited, their role changed, removed, a pending one's link made again. */
export function OperatorTable() {
  const me = useSession();
  const list = usePaged<Operator>('/operators?limit=100');
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<Invitation | null>(null);
  const [removing, setRemoving] = useState<Operator | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();
  const columns = operatorColumns({ me, busy: action.busy, onRole: (o, role) => void setRole(o, role), onRenew: (o) => void renew(o), onRemove: setRemoving });

  const setRole = async (operator: Operator, role: Role) => {
    setMessage(null);
    const saved = await action.run(() => api<Operator>(`/operators/${encodeURIComponent(operator.id)}`, { method: 'PATCH', body: { role } }));
    if (saved) setMessage(`${saved.email} is now ${saved.role}: it applies from their next request.`);
    // Also on a refusal (the last owner): the select goes back to the role in force.
    list.reload();
  };
  const renew = async (operator: Operator) => {
    setMessage(null);
    const invitation = await action.run(() => api<Invitation>(`/operators/${encodeURIComponent(operator.id)}/invitation`, { method: 'POST' }));
    if (invitation) {
      setLink(invitation);
      list.reload();
    }
  };
  const remove = async (operator: Operator) => {
    const done = await action.run(() => api(`/operators/${encodeURIComponent(operator.id)}`, { method: 'DELETE' }).then(() => true));
    if (done) {
      setRemoving(null);
      setMessage(`${operator.email} is removed: their sessions have ended.`);
      list.reload();
    }
  };

  return (
    <section className="panel" aria-labelledby="operators-title">
      <header className="panel-header">
        <h2 id="operators-title">Operators</h2>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setMessage(null);
            setInviting(true);
          }}
        >
          Invite operator
        </button>
      </header>
      <Notice>{message}</Notice>
      <ErrorBox error={removing === null ? (action.error ?? list.error) : list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading operators" />
      ) : (
        <div className="cards-on-phone">
          <DataTable
            caption="Operators"
            data={list.items}
            rowKey={(o) => o.id}
            empty={<Empty>No operator yet: invite one.</Empty>}
            columns={columns}
          />
        </div>
      )}
      <Pager {...list} count={list.items.length} />
      {inviting && (
        <InviteDialog
          onClose={() => setInviting(false)}
          onInvited={(invitation) => {
            setInviting(false);
            setLink(invitation);
            list.reload();
          }}
        />
      )}
      {link && <InvitationLink invitation={link} onDone={() => setLink(null)} />}
      {removing && <RemoveDialog operator={removing} busy={action.busy} error={action.error} onConfirm={() => void remove(removing)} onClose={() => setRemoving(null)} />}
    </section>
  );
}

/** The operators table's columns: the role to change in place; a pending invitation's new link; removal (not of oneself). */
function operatorColumns({
  me,
  busy,
  onRole,
  onRenew,
  onRemove,
}: {
  me: Session;
  busy: boolean;
  onRole: (operator: Operator, role: Role) => void;
  onRenew: (operator: Operator) => void;
  onRemove: (operator: Operator) => void;
}): Array<ColumnDef<Operator>> {
  return [
    {
      id: 'email',
      header: 'Email',
      cell: (c) => (
        <span className="operator-email">
          {c.row.original.email}
          {c.row.original.email === me.name && me.kind === 'operator' && <span className="muted"> (you)</span>}
        </span>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      cell: (c) => (
        <select value={c.row.original.role} onChange={(e) => onRole(c.row.original, e.target.value as Role)} disabled={busy} aria-label={`Role of ${c.row.original.email}`}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      ),
    },
    { id: 'status', header: 'Status', cell: (c) => <OperatorStatus operator={c.row.original} /> },
    { id: 'invitedBy', header: 'Invited by', cell: (c) => c.row.original.invitedBy ?? <span className="muted">command line</span> },
    { id: 'created', header: 'Created', cell: (c) => <Time iso={c.row.original.createdAt} /> },
    {
      id: 'actions',
      header: 'Actions',
      cell: (c) => {
        const o = c.row.original;
        return (
          <div className="row-actions nowrap">
            {o.status === 'invited' && (
              <button type="button" className="small" onClick={() => onRenew(o)} disabled={busy} aria-label={`New invitation link for ${o.email}`}>
                New link
              </button>
            )}
            {!(me.kind === 'operator' && o.email === me.name) && (
              <button type="button" className="small" onClick={() => onRemove(o)} aria-label={`Remove ${o.email}`}>
                Remove
              </button>
            )}
          </div>
        );
      },
    },
  ];
}

function RemoveDialog({ operator, busy, error, onConfirm, onClose }: { operator: Operator; busy: boolean; error: string | null; onConfirm: () => void; onClose: () => void }) {
  return (
    <ConfirmDialog title={`Remove ${operator.email}?`} confirm="Remove operator" busy={busy} error={error} onConfirm={onConfirm} onClose={onClose}>
      <p>
        {operator.status === 'invited' ? 'Their invitation stops working.' : 'They are signed out at once and can no longer sign in.'} What they changed stays in the audit log under their email.
      </p>
    </ConfirmDialog>
  );
}

function OperatorStatus({ operator }: { operator: Operator }) {
  if (operator.status === 'active') return <Badge value="enabled" label="active" />;
  return (
    <span className="review-cell">
      <Badge value="pending" label="invited" />
      {operator.inviteExpiresAt && (
        <small className="muted">
          link until <Time iso={operator.inviteExpiresAt} />
        </small>
      )}
    </span>
  );
}
