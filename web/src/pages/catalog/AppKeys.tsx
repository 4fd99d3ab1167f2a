import { useState } from 'react';
import { api, type AppKey, type AppKeyCreated, type StoreApp } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Badge, CopyField, Dialog, Empty, ErrorBox, Loading, Pager, Time } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';
import { AppKeyForm } from './AppKeyForm';
import { useCan } from '../../session';

/**
 * One store app's keys for the reward app's own API (/app/v1): listed with their scopes and last
 * use, created (the key shown once, here), revoked.
 */
export function AppKeys({ app, onClose }: { app: StoreApp; onClose: () => void }) {
  const list = usePaged<AppKey>(`/apps/${encodeURIComponent(app.pid)}/keys?limit=50`);
  const [shown, setShown] = useState<AppKeyCreated | null>(null);
  const action = useAction();
  const canWrite = useCan('config:write');
  const revoke = async (key: AppKey) => {
    setShown(null);
    if (!window.confirm(`Revoke the key ${key.name ?? key.prefix}? The app using it is refused at once.`)) return;
    const done = await action.run(() => api<AppKey>(`/apps/${encodeURIComponent(app.pid)}/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' }));
    if (done) list.reload();
  };
  return (
    <Dialog title={`Keys of ${app.name ? `${app.name} (${app.pid})` : app.pid}`} open onClose={onClose} wide>
      <p className="hint">For the reward app’s own API (/app/v1): balances, the credit feed and “where is my reward?”, for this app’s users only. A key is shown once, when created; the hub keeps only its hash.</p>
      {canWrite && (
        <AppKeyForm
          pid={app.pid}
          onCreated={(created) => {
            setShown(created);
            list.reload();
          }}
        />
      )}
      {shown && <KeyOnce created={shown} onDone={() => setShown(null)} />}
      <ErrorBox error={action.error ?? list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading keys" />
      ) : (
        <DataTable
          caption={`Keys of ${app.pid}`}
          data={list.items}
          rowKey={(k) => k.id}
          rowClassName={(k) => (k.revokedAt ? 'row-muted' : undefined)}
          empty={<Empty>No key yet.</Empty>}
          columns={[
            { id: 'name', header: 'Name', cell: (c) => c.row.original.name ?? '—' },
            { id: 'prefix', header: 'Starts with', cell: (c) => <span className="mono nowrap">{c.row.original.prefix}…</span> },
            { id: 'scopes', header: 'Scopes', cell: (c) => <span className="mono scope-list">{c.row.original.scopes.join(' ')}</span> },
            { id: 'created', header: 'Created', cell: (c) => <Time iso={c.row.original.createdAt} /> },
            { id: 'used', header: 'Last used', cell: (c) => (c.row.original.lastUsedAt ? <Time iso={c.row.original.lastUsedAt} /> : <span className="muted">never</span>) },
            {
              id: 'state',
              header: 'State',
              cell: (c) =>
                c.row.original.revokedAt ? (
                  <span className="review-cell">
                    <Badge value="revoked" />
                    <Time iso={c.row.original.revokedAt} />
                  </span>
                ) : (
                  <Badge value="enabled" label="active" />
                ),
            },
            {
              id: 'actions',
              header: 'Actions',
              cell: (c) =>
                c.row.original.revokedAt || !canWrite ? null : (
                  <button type="button" className="small" onClick={() => void revoke(c.row.original)} disabled={action.busy} aria-label={`Revoke key ${c.row.original.name ?? c.row.original.prefix}`}>
                    Revoke
                  </button>
                ),
            },
          ]}
        />
      )}
      <Pager {...list} count={list.items.length} />
    </Dialog>
  );
}

/** The key just created: shown this once, to copy. */
function KeyOnce({ created, onDone }: { created: AppKeyCreated; onDone: () => void }) {
  return (
    <div className="state info key-once" role="status">
      <p>
        Key <strong>{created.name ?? created.prefix}</strong> created for {created.appPid}, with {created.scopes.join(', ')}.
      </p>
      <p className="warning">Copy it now: the hub keeps only its hash and will not show it again.</p>
      <CopyField label="App key" value={created.key} />
      <button type="button" className="small" onClick={onDone}>
        I have stored it
      </button>
    </div>
  );
}
