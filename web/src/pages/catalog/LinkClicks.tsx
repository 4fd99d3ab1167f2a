import { qs, type Click, type TrackingLink } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Dialog, Empty, ErrorBox, Loading, Pager, Time } from '../../components/ui';
import { usePaged } from '../../hooks';

/** The latest clicks on one link. */
export function LinkClicks({ link, onClose }: { link: TrackingLink; onClose: () => void }) {
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
