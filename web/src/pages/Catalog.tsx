import { useState, type FormEvent } from 'react';
import { api, ApiError, qs, type ApiSecret, type ApiSecretCreated, type Click, type Offer, type Page, type StoreApp, type TrackingLink } from '../api';
import { DataTable } from '../components/DataTable';
import { Badge, CopyButton, CopyField, Dialog, Empty, ErrorBox, Field, Loading, PageHeader, Pager, SecretOnce, Time } from '../components/ui';
import { useAction, useApi, usePaged } from '../hooks';

export function Catalog() {
  // Bumped when apps or offers change, so that the link form's choices follow.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div>
      <PageHeader title="Catalog" />
      <p className="lead">Store apps (pid) and offers (games, gid) that postbacks refer to, tracking links for partners, and the API secrets partners authenticate with.</p>
      <div className="catalog-grid">
        <NamedList kind="apps" title="Store apps" idLabel="pid" onChange={changed} />
        <NamedList kind="offers" title="Offers and games" idLabel="id" onChange={changed} />
      </div>
      <TrackingLinks catalogVersion={version} />
      <ApiSecrets />
    </div>
  );
}

/** Apps and offers: an id and a name; add and remove. */
function NamedList({ kind, title, idLabel, onChange }: { kind: 'apps' | 'offers'; title: string; idLabel: 'pid' | 'id'; onChange: () => void }) {
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
      onChange();
    }
  };
  const remove = async (key: string) => {
    if (!window.confirm(`Remove ${key}? Postbacks that name it will be rejected.`)) return;
    const done = await action.run(() => api(`/${kind}/${encodeURIComponent(key)}`, { method: 'DELETE' }).then(() => true));
    if (done) {
      list.reload();
      onChange();
    }
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

/** Where a link's clicks go, in words: the URL template, or the Play Store listing. */
function linkTarget(link: TrackingLink): string {
  if (link.config.playStore) return `Play Store: ${link.config.playStore.package}`;
  return link.config.target ?? '—';
}

/**
 * Tracking links (`/admin/api/links`): the link to give a partner (origin/c/ID), which offer
 * and partner its clicks count for, and where they are redirected; created, enabled or
 * disabled, and deleted while nobody clicked them.
 */
export function TrackingLinks({ catalogVersion }: { catalogVersion: number }) {
  const links = usePaged<TrackingLink>('/links?limit=50');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TrackingLink | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [clicksOf, setClicksOf] = useState<TrackingLink | null>(null);
  const action = useAction();

  const toggle = async (link: TrackingLink) => {
    setMessage(null);
    setCreated(null);
    const saved = await action.run(() => api<TrackingLink>(`/links/${encodeURIComponent(link.id)}`, { method: 'PATCH', body: { enabled: !link.enabled } }));
    if (saved) {
      setMessage(saved.enabled ? `Link ${saved.id} is enabled: its clicks are recorded and redirected again.` : `Link ${saved.id} is disabled: its clicks now get “Link not found” and are not recorded.`);
      links.reload();
    }
  };
  const remove = async (link: TrackingLink) => {
    setMessage(null);
    setCreated(null);
    if (!window.confirm(`Delete the link ${link.id}? Anyone who still has it gets “Link not found”.`)) return;
    const done = await action.run(() =>
      api(`/links/${encodeURIComponent(link.id)}`, { method: 'DELETE' })
        .then(() => true)
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 409) {
            throw new Error(`The link ${link.id} cannot be deleted: it has been clicked, and its clicks (and the conversions attributed to them) refer to it. Disable it instead.`);
          }
          throw e;
        }),
    );
    if (done) {
      setMessage(`Link ${link.id} deleted.`);
      links.reload();
    }
  };

  return (
    <section className="panel links-panel" aria-labelledby="links-title">
      <header className="panel-header">
        <h2 id="links-title">Tracking links</h2>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setMessage(null);
            setCreating(true);
          }}
        >
          New tracking link
        </button>
      </header>
      <p className="hint">
        Give a partner a link: each click is recorded with a click id and redirected to the offer. Conversions that carry the click id (or the same user and offer) are attributed to the partner, whose
        destinations then get the postback.
      </p>
      {message && (
        <p className="state info" role="status">
          {message}
        </p>
      )}
      {created && (
        <div className="state info created-link" role="status">
          <p>
            Link <strong className="mono">{created.id}</strong> created. Give this URL to {created.partner ? <strong>{created.partner}</strong> : 'the partner'}:
          </p>
          <CopyField label="Link URL" value={created.url} />
        </div>
      )}
      <ErrorBox error={action.error ?? links.error} onRetry={links.reload} />
      {links.loading && links.data === undefined ? (
        <Loading what="Loading tracking links" />
      ) : (
        <DataTable
          caption="Tracking links"
          data={links.items}
          rowKey={(l) => l.id}
          rowClassName={(l) => (l.enabled ? undefined : 'row-muted')}
          empty={
            <Empty>
              No tracking link yet. <strong>New tracking link</strong> makes one for an offer.
            </Empty>
          }
          columns={[
            {
              id: 'id',
              header: 'Link',
              cell: (c) => (
                <>
                  <span className="mono nowrap">{c.row.original.id}</span>
                  {c.row.original.name && <div className="muted">{c.row.original.name}</div>}
                </>
              ),
            },
            { id: 'offer', header: 'Offer', cell: (c) => <span className="mono nowrap">{c.row.original.offerId}</span> },
            { id: 'partner', header: 'Partner', cell: (c) => c.row.original.partner ?? <span className="muted">none</span> },
            {
              id: 'target',
              header: 'Goes to',
              cell: (c) =>
                c.row.original.config.playStore ? (
                  <span title={`pid ${c.row.original.config.playStore.pid}`}>
                    Play Store: <span className="mono">{c.row.original.config.playStore.package}</span>
                  </span>
                ) : (
                  <code className="truncate" title={linkTarget(c.row.original)}>
                    {linkTarget(c.row.original)}
                  </code>
                ),
            },
            { id: 'state', header: 'State', cell: (c) => <Badge value={c.row.original.enabled ? 'enabled' : 'disabled'} /> },
            {
              id: 'url',
              header: 'Link URL',
              cell: (c) => (
                <div className="url-cell">
                  <code className="truncate" title={c.row.original.url}>
                    {c.row.original.url}
                  </code>
                  <CopyButton text={c.row.original.url} label="Copy link" />
                </div>
              ),
            },
            {
              id: 'actions',
              header: 'Actions',
              cell: (c) => (
                <div className="row-actions nowrap">
                  <button type="button" className="small" onClick={() => setClicksOf(c.row.original)} aria-label={`Clicks of link ${c.row.original.id}`}>
                    Clicks
                  </button>
                  <button type="button" className="small" onClick={() => void toggle(c.row.original)} disabled={action.busy} aria-label={`${c.row.original.enabled ? 'Disable' : 'Enable'} link ${c.row.original.id}`}>
                    {c.row.original.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button type="button" className="small" onClick={() => void remove(c.row.original)} disabled={action.busy} aria-label={`Delete link ${c.row.original.id}`}>
                    Delete
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
      <Pager {...links} count={links.items.length} />
      {creating && (
        <LinkForm
          catalogVersion={catalogVersion}
          onClose={() => setCreating(false)}
          onSaved={(link) => {
            setCreating(false);
            setCreated(link);
            links.reload();
          }}
        />
      )}
      {clicksOf && <LinkClicks link={clicksOf} onClose={() => setClicksOf(null)} />}
    </section>
  );
}

const MACROS = '{click_id} {sub} {user_id} {partner} {partner_click_id} {offer_id} {link_id}, or any query parameter of the click by name';

function LinkForm({ catalogVersion, onClose, onSaved }: { catalogVersion: number; onClose: () => void; onSaved: (link: TrackingLink) => void }) {
  const offers = useApi<Page<Offer>>('/offers?limit=500', catalogVersion);
  const apps = useApi<Page<StoreApp>>('/apps?limit=500', catalogVersion);
  const [offerId, setOfferId] = useState('');
  const [partner, setPartner] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'target' | 'playStore'>('target');
  const [target, setTarget] = useState('');
  const [pkg, setPkg] = useState('');
  const [pid, setPid] = useState('');
  const [param, setParam] = useState('');
  const action = useAction();
  const offerList = offers.data?.items ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const config = {
      ...(mode === 'target' ? { target: target.trim() } : { playStore: { package: pkg.trim(), pid: pid.trim() } }),
      ...(param.trim() ? { partnerClickIdParam: param.trim() } : {}),
    };
    const body = {
      offerId,
      config,
      ...(id.trim() ? { id: id.trim() } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(partner.trim() ? { partner: partner.trim() } : {}),
    };
    const saved = await action.run(() => api<TrackingLink>('/links', { body }));
    if (saved) onSaved(saved);
  };

  return (
    <Dialog title="New tracking link" open onClose={onClose} wide>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="grid-2">
          <Field label="Offer" hint={offers.data && offerList.length === 0 ? 'No offer yet: add one under “Offers and games” first.' : 'The offer (game) its clicks and conversions count for'}>
            {(fid, d) => (
              <select id={fid} aria-describedby={d} value={offerId} onChange={(e) => setOfferId(e.target.value)} required>
                <option value="">{offers.loading && offers.data === undefined ? 'Loading offers…' : 'Choose an offer'}</option>
                {offerList.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name ? `${o.name} (${o.id})` : o.id}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Partner" hint="Optional: whose traffic it is; destinations can match on it">
            {(fid, d) => <input id={fid} aria-describedby={d} value={partner} onChange={(e) => setPartner(e.target.value)} maxLength={128} placeholder="e.g. gamezop" />}
          </Field>
          <Field label="Link id" hint="Optional: the path of the link (/c/ID); random if empty. Letters, digits, _ and -">
            {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={id} onChange={(e) => setId(e.target.value)} maxLength={64} pattern="[A-Za-z0-9_\-]+" placeholder="random" />}
          </Field>
          <Field label="Name" hint="Optional: for you">
            {(fid, d) => <input id={fid} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
          </Field>
        </div>
        <fieldset>
          <legend>Where clicks go</legend>
          <div className="radio-row">
            <label className="checkbox">
              <input type="radio" name="link-mode" value="target" checked={mode === 'target'} onChange={() => setMode('target')} /> URL template
            </label>
            <label className="checkbox">
              <input type="radio" name="link-mode" value="playStore" checked={mode === 'playStore'} onChange={() => setMode('playStore')} /> Play Store listing (install referrer)
            </label>
          </div>
          {mode === 'target' ? (
            <Field label="Target URL template" hint={`Macros: ${MACROS}. Values are URL-encoded.`}>
              {(fid, d) => (
                <input
                  id={fid}
                  aria-describedby={d}
                  className="mono"
                  value={target}
                  onChange={(e) => setTarget(e.target.value)}
                  required
                  maxLength={2000}
                  placeholder="https://games.example/quest?click_id={click_id}&uid={sub}"
                />
              )}
            </Field>
          ) : (
            <div className="grid-2 top">
              <Field label="Package" hint="The game’s application id">
                {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={pkg} onChange={(e) => setPkg(e.target.value)} required maxLength={200} pattern="[A-Za-z0-9_.]+" placeholder="com.example.game" />}
              </Field>
              <Field label="Store app pid" hint="Sent as pid in the referrer, with uid (the click’s ?sub=) and gid (the offer)">
                {(fid, d) => (
                  <>
                    <input id={fid} aria-describedby={d} list={`${fid}-list`} value={pid} onChange={(e) => setPid(e.target.value)} required maxLength={200} />
                    <datalist id={`${fid}-list`}>
                      {(apps.data?.items ?? []).map((a) => (
                        <option key={a.pid} value={a.pid}>
                          {a.name ?? a.pid}
                        </option>
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
            </div>
          )}
          <Field label="Partner click id parameter" hint="Optional: the click’s query parameter with the partner’s own click id, sent back in its postback (default click_id)">
            {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={param} onChange={(e) => setParam(e.target.value)} maxLength={64} placeholder="click_id" />}
          </Field>
        </fieldset>
        <ErrorBox error={action.error ?? offers.error} />
        <div className="actions">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Creating…' : 'Create link'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The latest clicks on one link. */
function LinkClicks({ link, onClose }: { link: TrackingLink; onClose: () => void }) {
  const clicks = usePaged<Click>(`/clicks${qs({ limit: 50, link: link.id })}`);
  return (
    <Dialog title={`Clicks on ${link.id}`} open onClose={onClose} wide>
      <ErrorBox error={clicks.error} onRetry={clicks.reload} />
      {clicks.loading && clicks.data === undefined ? (
        <Loading what="Loading clicks" />
      ) : (
        <DataTable
          caption={`Clicks on ${link.id}`}
          data={clicks.items}
          rowKey={(c) => c.id}
          empty={<Empty>No click yet.</Empty>}
          columns={[
            { id: 'at', header: 'When', cell: (c) => <Time iso={c.row.original.createdAt} /> },
            { id: 'id', header: 'Click id', cell: (c) => <span className="mono">{c.row.original.id}</span> },
            { id: 'user', header: 'User', cell: (c) => c.row.original.userId ?? '—' },
            { id: 'pclick', header: 'Partner click id', cell: (c) => <span className="mono">{c.row.original.partnerClickId ?? '—'}</span> },
            { id: 'ip', header: 'IP', cell: (c) => <span className="mono">{c.row.original.ip ?? '—'}</span> },
          ]}
        />
      )}
      <Pager {...clicks} count={clicks.items.length} />
    </Dialog>
  );
}

function ApiSecrets() {
  const list = usePaged<ApiSecret>('/api-secrets?limit=50');
  const [name, setName] = useState('');
  const [shown, setShown] = useState<ApiSecretCreated | null>(null);
  const action = useAction();
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

