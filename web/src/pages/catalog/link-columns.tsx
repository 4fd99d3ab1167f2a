import type { ColumnDef } from '@tanstack/react-table';
import type { ListedLink, TrackingLink } from '../../api';
import { integer } from '../../format';
import { Badge, CopyButton } from '../../components/ui';

/** Where a link's clicks go, in words: the URL template, or the Play Store listing. */
function linkTarget(link: TrackingLink): string {
  if (link.config.playStore) return `Play Store: ${link.config.playStore.package}`;
  return link.config.target ?? '—';
}

function TargetCell({ link }: { link: TrackingLink }) {
  if (link.config.playStore) {
    return (
      <span title={`pid ${link.config.playStore.pid}`}>
        Play Store: <span className="mono">{link.config.playStore.package}</span>
      </span>
    );
  }
  return (
    <code className="truncate short" title={linkTarget(link)}>
      {linkTarget(link)}
    </code>
  );
}

/** The tracking links table's columns; the actions show a link's clicks, enable or disable it, delete it. */
export function linkColumns({
  canWrite,
  canReadClicks,
  busy,
  onClicks,
  onToggle,
  onRemove,
}: {
  canWrite: boolean;
  canReadClicks: boolean;
  busy: boolean;
  onClicks: (link: TrackingLink) => void;
  onToggle: (link: TrackingLink) => void;
  onRemove: (link: TrackingLink) => void;
}): Array<ColumnDef<ListedLink>> {
  return [
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
    { id: 'target', header: 'Goes to', cell: (c) => <TargetCell link={c.row.original} /> },
    { id: 'clicks', header: 'Clicks', cell: (c) => <span className="num">{integer(c.row.original.clicks)}</span> },
    {
      id: 'conversions',
      header: 'Conversions',
      cell: (c) => (
        <span className="num" title="Accepted events attributed to this link, not rejected in review (as Reports counts them)">
          {integer(c.row.original.conversions)}
        </span>
      ),
    },
    { id: 'state', header: 'State', cell: (c) => <Badge value={c.row.original.enabled ? 'enabled' : 'disabled'} /> },
    {
      id: 'url',
      header: 'Link URL',
      cell: (c) => (
        <div className="url-cell">
          <code className="truncate short" title={c.row.original.url}>
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
        <div className="row-actions">
          {canReadClicks && (
            <button type="button" className="small" onClick={() => onClicks(c.row.original)} aria-label={`Clicks of link ${c.row.original.id}`}>
              Clicks
            </button>
          )}
          {canWrite && (
            <button type="button" className="small" onClick={() => onToggle(c.row.original)} disabled={busy} aria-label={`${c.row.original.enabled ? 'Disable' : 'Enable'} link ${c.row.original.id}`}>
              {c.row.original.enabled ? 'Disable' : 'Enable'}
            </button>
          )}
          {canWrite && (
            <button type="button" className="small" onClick={() => onRemove(c.row.original)} disabled={busy} aria-label={`Delete link ${c.row.original.id}`}>
              Delete
            </button>
          )}
        </div>
      ),
    },
  ];
}
