import { createColumnHelper } from '@tanstack/react-table';
import type { Source } from '../../api';
import { Badge, CopyButton } from '../../components/ui';
import { Link } from '../../router';
import { authSummary } from './definition';

const column = createColumnHelper<Source>();

/** The sources table's columns; the actions open the test and edit dialogs (for a role that may change the configuration). */
export function sourceColumns({ onTest, onEdit, canWrite }: { onTest: (source: Source) => void; onEdit: (source: Source) => void; canWrite: boolean }) {
  return [
    column.accessor('slug', {
      header: 'Source',
      cell: (c) => (
        <div>
          <strong>{c.row.original.name ?? c.getValue()}</strong>
          <div className="muted mono">{c.getValue()}</div>
        </div>
      ),
    }),
    column.accessor('preset', { header: 'Preset', cell: (c) => <span className="mono">{c.getValue()}</span> }),
    column.accessor('enabled', { header: 'State', cell: (c) => <Badge value={c.getValue() ? 'enabled' : 'disabled'} /> }),
    column.display({ id: 'auth', header: 'Authentication', cell: (c) => authSummary(c.row.original.definition) }),
    column.accessor('inboundUrl', {
      header: 'Inbound URL',
      cell: (c) => (
        <div className="url-cell">
          <code className="truncate" title={c.getValue()}>
            {c.getValue()}
          </code>
          <CopyButton text={c.getValue()} label="Copy URL" />
        </div>
      ),
    }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <div className="row-actions">
          {canWrite && (
            <button type="button" className="small" onClick={() => onTest(c.row.original)}>
              Send test postback
            </button>
          )}
          {canWrite && (
            <button type="button" className="small" onClick={() => onEdit(c.row.original)}>
              Edit
            </button>
          )}
          <Link className="small button" to={`/events?source=${encodeURIComponent(c.row.original.slug)}`}>
            Events
          </Link>
        </div>
      ),
    }),
  ];
}
