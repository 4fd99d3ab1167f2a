import type { ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText, type AdminKey, type AdminKeyCreated, type Scope } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Badge, ConfirmDialog, Dialog, Empty, ErrorBox, Field, FormActions, Loading, Notice, Pager, SecretOnce, Time } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';
import { SCOPE_NAMES, SCOPES } from '../../roles';

/** Admin API keys for automation (Authorization: Bearer phk_…): listed with their scopes and last use, created (shown once), revoked. */
export function AdminKeys() {
  const list = usePaged<AdminKey>('/keys?limit=100');
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState<AdminKeyCreated | null>(null);
  const [revoking, setRevoking] = useState<AdminKey | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();
  const revoke = async (key: AdminKey) => {
    const done = await action.run(() => api<AdminKey>(`/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' }));
    if (done) {
      setRevoking(null);
      setMessage(`The key ${key.name} is revoked: it is refused from now on.`);
      list.reload();
    }
  };
  return (
    <section className="panel" aria-labelledby="keys-title">
      <header className="panel-header">
        <h2 id="keys-title">Admin API keys</h2>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setMessage(null);
            setCreating(true);
          }}
        >
          New API key
        </button>
      </header>
      <p className="hint">
        For scripts and automation: send <code>Authorization: Bearer phk_…</code> to the admin API. A key may do only what its scopes allow, and needs no CSRF token. It is shown once, when created; the
        hub keeps only its hash.
      </p>
      <Notice>{message}</Notice>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading keys" />
      ) : (
        <div className="cards-on-phone">
          <DataTable
            caption="Admin API keys"
            data={list.items}
            rowKey={(k) => k.id}
            rowClassName={(k) => (k.revokedAt ? 'row-muted' : undefined)}
            empty={<Empty>No admin API key yet.</Empty>}
            columns={keyColumns(setRevoking)}
          />
        </div>
      )}
      <Pager {...list} count={list.items.length} />
      {creating && (
        <KeyDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setShown(created);
            list.reload();
          }}
        />
      )}
      {shown && <SecretOnce label={`API key ${shown.name}`} secret={shown.key} onDone={() => setShown(null)} />}
      {revoking && (
        <ConfirmDialog title={`Revoke the key ${revoking.name}?`} confirm="Revoke key" busy={action.busy} error={action.error} onConfirm={() => void revoke(revoking)} onClose={() => setRevoking(null)}>
          <p>Whatever uses it is refused at once (within a second in the hub’s other processes). A revoked key cannot be restored.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The keys table's columns; an active key's Revoke asks first. */
function keyColumns(onRevoke: (key: AdminKey) => void): Array<ColumnDef<AdminKey>> {
  return [
    { id: 'name', header: 'Name', cell: (c) => c.row.original.name },
    { id: 'prefix', header: 'Starts with', cell: (c) => <span className="mono nowrap">{c.row.original.prefix}…</span> },
    { id: 'scopes', header: 'Scopes', cell: (c) => <span className="mono scope-list">{c.row.original.scopes.join(' ')}</span> },
    { id: 'createdBy', header: 'Created by', cell: (c) => c.row.original.createdBy },
    { id: 'created', header: 'Created', cell: (c) => <Time iso={c.row.original.createdAt} /> },
    { id: 'used', header: 'Last used', cell: (c) => (c.row.original.lastUsedAt ? <Time iso={c.row.original.lastUsedAt} /> : <span className="muted">never</span>) },
    { id: 'state', header: 'State', cell: (c) => <KeyState adminKey={c.row.original} /> },
    {
      id: 'actions',
      header: 'Actions',
      cell: (c) =>
        c.row.original.revokedAt ? null : (
          <button type="button" className="small" onClick={() => onRevoke(c.row.original)} aria-label={`Revoke key ${c.row.original.name}`}>
            Revoke
          </button>
        ),
    },
  ];
}

function KeyState({ adminKey }: { adminKey: AdminKey }) {
  if (adminKey.revokedAt === null) return <Badge value="enabled" label="active" />;
  return (
    <span className="review-cell">
      <Badge value="revoked" />
      <Time iso={adminKey.revokedAt} />
    </span>
  );
}

/** A new key: its name and the scopes it may use, each with what it allows. */
function KeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (created: AdminKeyCreated) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [problem, setProblem] = useState<{ field: 'name' | 'scopes' | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = (scope: Scope, on: boolean) => setScopes((s) => (on ? [...s, scope] : s.filter((x) => x !== scope)));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      setProblem({ field: 'scopes', message: 'Choose at least one scope.' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      // In the hub's order, whatever order they were ticked in.
      onCreated(await api<AdminKeyCreated>('/keys', { body: { name: name.trim(), scopes: SCOPE_NAMES.filter((s) => scopes.includes(s)) } }));
    } catch (e) {
      const field = e instanceof ApiError && (e.field === 'name' || e.field?.startsWith('scopes')) ? (e.field === 'name' ? 'name' : 'scopes') : null;
      setProblem({ field, message: errorText(e) });
      setBusy(false);
    }
  };
  const errorOf = (field: 'name' | 'scopes') => (problem?.field === field ? problem.message : null);
  return (
    <Dialog title="New admin API key" open onClose={onClose} wide>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Name" hint="What uses it, e.g. “nightly export”: the audit log names the key by it." error={errorOf('name')}>
          {(id, d) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} aria-invalid={errorOf('name') !== null} aria-describedby={d} autoFocus required />}
        </Field>
        <fieldset className={`scope-choices${errorOf('scopes') ? ' invalid' : ''}`}>
          <legend>Scopes</legend>
          {SCOPE_NAMES.map((scope) => (
            <label key={scope} className="choice">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
              <span>
                <strong className="mono">{scope}</strong>
                <span className="hint">{SCOPES[scope]}</span>
              </span>
            </label>
          ))}
          {errorOf('scopes') && <small className="field-error">{errorOf('scopes')}</small>}
        </fieldset>
        <ErrorBox error={problem?.field === null ? problem.message : null} />
        <FormActions busy={busy} label="Create key" busyLabel="Creating…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
