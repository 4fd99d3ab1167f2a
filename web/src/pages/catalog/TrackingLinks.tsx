import { useState } from 'react';
import type { ListedLink, TrackingLink } from '../../api';
import { DataTable } from '../../components/DataTable';
import { CopyField, Empty, ErrorBox, Loading, Notice, Pager } from '../../components/ui';
import { usePaged } from '../../hooks';
import { linkColumns } from './link-columns';
import { LinkClicks } from './LinkClicks';
import { LinkForm } from './LinkForm';
import { useLinkActions } from './use-link-actions';
import { useCan } from '../../session';

/**
 * Tracking links (`/admin/api/links`): the link to give a partner (origin/c/ID), which offer
 * and partner its clicks count for, and where they are redirected; created, enabled or
 * disabled, and deleted while nobody clicked them.
 */
export function TrackingLinks({ catalogVersion }: { catalogVersion: number }) {
  const links = usePaged<ListedLink>('/links?limit=50');
  const [creating, setCreating] = useState(false);
  const [clicksOf, setClicksOf] = useState<TrackingLink | null>(null);
  const actions = useLinkActions(links.reload);
  const canWrite = useCan('config:write');
  const canReadClicks = useCan('data:read');
  const columns = linkColumns({ canWrite, canReadClicks, busy: actions.busy, onClicks: setClicksOf, onToggle: (link) => void actions.toggle(link), onRemove: (link) => void actions.remove(link) });

  return (
    <section className="panel links-panel" aria-labelledby="links-title">
      <header className="panel-header">
        <h2 id="links-title">Tracking links</h2>
        {canWrite && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              actions.clearMessage();
              setCreating(true);
            }}
          >
            New tracking link
          </button>
        )}
      </header>
      <p className="hint">
        Give a partner a link: each click is recorded with a click id and redirected to the offer. Conversions that carry the click id (or the same user and offer) are attributed to the partner, whose
        destinations then get the postback.
      </p>
      <Notice>{actions.message}</Notice>
      {actions.created && <CreatedLink link={actions.created} />}
      <ErrorBox error={actions.error ?? links.error} onRetry={links.reload} />
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
          columns={columns}
        />
      )}
      <Pager {...links} count={links.items.length} />
      {creating && (
        <LinkForm
          catalogVersion={catalogVersion}
          onClose={() => setCreating(false)}
          onSaved={(link) => {
            setCreating(false);
            actions.showCreated(link);
            links.reload();
          }}
        />
      )}
      {clicksOf && <LinkClicks link={clicksOf} onClose={() => setClicksOf(null)} />}
    </section>
  );
}

/** The link just created, with its URL to copy and give to the partner. */
function CreatedLink({ link }: { link: TrackingLink }) {
  return (
    <div className="state info created-link" role="status">
      <p>
        Link <strong className="mono">{link.id}</strong> created. Give this URL to {link.partner ? <strong>{link.partner}</strong> : 'the partner'}:
      </p>
      <CopyField label="Link URL" value={link.url} />
    </div>
  );
}
