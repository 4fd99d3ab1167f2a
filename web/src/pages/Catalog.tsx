import { useState, type FormEvent } from 'react';
import { api, type ApiSecret, type Offer, type StoreApp, type TrackingLink } from '../api';
import { DataTable } from '../components/DataTable';
import { Badge, CopyButton, Empty, ErrorBox, Field, Loading, PageHeader, Pager, SecretOnce, Time } from '../components/ui';
import { useAction, usePaged } from '../hooks';

export function Catalog() {
  return (
    <div>
      <PageHeader title="Catalog" />
      <p className="lead">Store apps (pid) and offers (games, gid) that postbacks refer to, tracking links for partners, and the API secrets partners authenticate with.</p>
      <div className="catalog-grid">
        <NamedList kind="apps" title="Store apps" idLabel="pid" />
        <NamedList kind="offers" title="Offers and games" idLabel="id" />
      </div>
      <TrackingLinks />
      <ApiSecrets />
    </div>
  );
}

/** Apps and offers: an id and a name; add and remove. */
function NamedList({ kind, title, idLabel }: { kind: 'apps' | 'offers'; title: string; idLabel: 'pid' | 'id' }) {
  const list = usePaged<StoreApp & Offer>(`/${kind}?limit=50`);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api(`/${kind}`, { body: { [idLabel]: id.trim(), ...(name.trim() ? { name: name.trim() } : {}) } }));
    if (created) {
      setId('');
      setName('');
      list.reload();
    }
  };
  const remove = async (key: string) => {
    if (!window.confirm(`Remove ${key}? Postbacks that name it will be rejected.`)) return;
    const done = await action.run(() => api(`/${kind}/${encodeURIComponent(key)}`, { method: 'DELETE' }).then(() => true));
    if (done) list.reload();
  };
  const keyOf = (row: StoreApp & Offer) => (idLabel === 'pid' ? row.pid : row.id);
  return (
    <section className="panel" aria-labelledby={`${kind}-title`}>
      <h2 id={`${kind}-title`}>{title}</h2>
      <form className="inline-form" onSubmit={(e) => void add(e)}>
        <Field label={idLabel}>{(fid) => <input id={fid} value={id} onChange={(e) => setId(e.target.value)} required maxLength={128} />}</Field>
        <Field label="Name">{(fid) => <input id={fid} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}</Field>
        <button type="submit" className="primary" disabled={action.busy}>
          Add
        </button>
      </form>
      <ErrorBox error={action.error ?? list.error} />
      {list.loading && list.data === undefined ? (
        <Loading />
      ) : (
        <DataTable
          caption={title}
          data={list.items}
          rowKey={keyOf}
          empty={<Empty>None yet.</Empty>}
          columns={[
            { id: 'id', header: idLabel, cell: (c) => <span className="mono">{keyOf(c.row.original)}</span> },
            { id: 'name', header: 'Name', cell: (c) => c.row.original.name ?? '—' },
            { id: 'created', header: 'Added', cell: (c) => <Time iso={c.row.original.createdAt} /> },
            {
              id: 'remove',
              header: 'Actions',
              cell: (c) => (
                <button type="button" className="small" onClick={() => void remove(keyOf(c.row.original))} aria-label={`Remove ${keyOf(c.row.original)}`}>
                  Remove
                </button>
              ),
            },
          ]}
        />
      )}
      <Pager {...list} count={list.items.length} />
    </section>
  );
}

/**
 * Tracking links (`/admin/api/links`, issue 5): listed with the link to give the partner. Until
 * the hub serves that endpoint, an empty state says so.
 */
export function TrackingLinks() {
  const links = usePaged<TrackingLink>('/links?limit=50');
  const missing = links.error !== null && links.error === 'Not found.';
  return (
    <section className="panel" aria-labelledby="links-title">
      <h2 id="links-title">Tracking links</h2>
      {missing ? (
        <Empty>This hub does not serve tracking links yet (no /admin/api/links). They appear here once it does.</Empty>
      ) : (
        <>
          <ErrorBox error={links.error} onRetry={links.reload} />
          {links.loading && links.data === undefined ? (
            <Loading what="Loading tracking links" />
          ) : (
            <DataTable
              caption="Tracking links"
              data={links.items}
              rowKey={(l) => l.id}
              empty={<Empty>No tracking link yet.</Empty>}
              columns={[
                { id: 'offer', header: 'Offer', cell: (c) => c.row.original.offerId ?? '—' },
                { id: 'partner', header: 'Partner', cell: (c) => c.row.original.partner ?? '—' },
                { id: 'target', header: 'Target', cell: (c) => <code className="truncate" title={c.row.original.targetUrl}>{c.row.original.targetUrl}</code> },
                { id: 'state', header: 'State', cell: (c) => <Badge value={c.row.original.enabled ? 'enabled' : 'disabled'} /> },
                {
                  id: 'url',
                  header: 'Link',
                  cell: (c) => (
                    <div className="url-cell">
                      <code className="truncate">{c.row.original.url}</code>
                      <CopyButton text={c.row.original.url} label="Copy link" />
                    </div>
                  ),
                },
              ]}
            />
          )}
          <Pager {...links} count={links.items.length} />
        </>
      )}
    </section>
  );
}

function ApiSecrets() {
  const list = usePaged<ApiSecret>('/api-secrets?limit=50');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<ApiSecret | null>(null);
  const action = useAction();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const created = await action.run(() => api<ApiSecret>('/api-secrets', { body: name.trim() ? { name: name.trim() } : {} }));
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
      <p className="hint">For POST /api/postback (seed 003) and POST /api/events. A secret is shown once, when created; the hub keeps only its hash.</p>
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <Field label="Name">{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder="e.g. my game studio" />}</Field>
        <button type="submit" className="primary" disabled={action.busy}>
          Create secret
        </button>
      </form>
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
                ) : (
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

