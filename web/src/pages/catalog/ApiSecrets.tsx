import { useState, type FormEvent } from 'react';
import { api, type ApiSecret, type ApiSecretCreated } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Badge, Empty, ErrorBox, Field, Loading, Pager, SecretOnce, Time } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';
import { useCan } from '../../session';

/** API secrets for the partner postback and platform events APIs: created (shown once) and revoked. */
export function ApiSecrets() {
  const list = usePaged<ApiSecret>('/api-secrets?limit=50');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<ApiSecretCreated | null>(null);
  const action = useAction();
  const canWrite = useCan('config:write');
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api<ApiSecretCreated>('/api-secrets', { body: name.trim() ? { name: name.trim() } : {} }));
    if (created) {
      setName('');
      setShown(created);
      list.reload();
    }
  };
  const revoke = async (secret: ApiSecret) => {
    if (!window.confirm(`Revoke ${secret.name ?? secret.prefix}? Partners using it are refused at once.`)) return;
    const done = await action.run(() => api<ApiSecret>(`/api-secrets/${encodeURIComponent(secret.id)}`, { method: 'DELETE' }));
    if (done) list.reload();
  };
  return (
    <section className="panel" aria-labelledby="secrets-title">
      <h2 id="secrets-title">API secrets</h2>
      <p className="hint">For the partner postback API (POST /api/postback) and the platform events API (POST /api/events). A secret is shown once, when created; the hub keeps only its hash.</p>
      {canWrite && (
        <form className="inline-form" onSubmit={(e) => void create(e)}>
          <Field label="Name">{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder="e.g. my game studio" />}</Field>
          <button type="submit" className="primary" disabled={action.busy}>
            Create secret
          </button>
        </form>
      )}
      <ErrorBox error={action.error ?? list.error} />
      {list.loading && list.data === undefined ? (
        <Loading />
      ) : (
        <DataTable
          caption="API secrets"
          data={list.items}
          rowKey={(s) => s.id}
          empty={<Empty>No API secret yet.</Empty>}
          columns={[
            { id: 'name', header: 'Name', cell: (c) => c.row.original.name ?? '—' },
            { id: 'prefix', header: 'Starts with', cell: (c) => <span className="mono">{c.row.original.prefix}…</span> },
            { id: 'created', header: 'Created', cell: (c) => <Time iso={c.row.original.createdAt} /> },
            { id: 'state', header: 'State', cell: (c) => (c.row.original.revokedAt ? <Badge value="revoked" label={`revoked`} /> : <Badge value="enabled" label="active" />) },
            {
              id: 'actions',
              header: 'Actions',
              cell: (c) =>
                c.row.original.revokedAt ? (
                  <Time iso={c.row.original.revokedAt} />
                ) : !canWrite ? null : (
                  <button type="button" className="small" onClick={() => void revoke(c.row.original)}>
                    Revoke
                  </button>
                ),
            },
          ]}
        />
      )}
      <Pager {...list} count={list.items.length} />
      {shown?.secret && <SecretOnce label={`API secret ${shown.name ?? ''}`.trim()} secret={shown.secret} onDone={() => setShown(null)} />}
    </section>
  );
}
