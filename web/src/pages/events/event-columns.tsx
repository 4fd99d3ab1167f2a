import { createColumnHelper } from '@tanstack/react-table';
import type { HubEvent } from '../../api';
import { Badge, Money, Time } from '../../components/ui';
import { integer } from '../../format';
import { Link } from '../../router';

const column = createColumnHelper<HubEvent>();

/** The review state and the checks that raised it, compact, for a table cell. */
function ReviewSummary({ event }: { event: HubEvent }) {
  if (event.review === null && event.flags.length === 0) return null;
  return (
    <span className="review-cell">
      {event.review && <Badge value={event.review} />}
      {event.flags.length > 0 && (
        <span className="flag-list" title={event.flags.map((f) => `${f.check} (${f.action}): ${f.detail}`).join('\n')}>
          {event.flags.map((f) => f.check).join(', ')}
        </span>
      )}
    </span>
  );
}

/** Why an event was rejected, or that it repeats an earlier one. */
function ReasonCell({ event }: { event: HubEvent }) {
  if (event.reason === null) return event.duplicateOf ? <span className="muted">repeat of an earlier postback</span> : '';
  return (
    <span>
      <strong className="mono">{event.reason}</strong>
      {event.detail && <span className="reason-detail"> — {event.detail}</span>}
    </span>
  );
}

/**
 * Short words never break; ids and partner names break anywhere, and only when the table would
 * otherwise be wider than its frame (at 1440 px its Details column stays in view).
 */
const NOWRAP = { meta: { className: 'nowrap' } };
const ANYWHERE = { meta: { className: 'break-anywhere' } };

/** The events table's columns (they depend on nothing: the page keeps one list of them). */
export const EVENT_COLUMNS = [
  column.accessor('receivedAt', { header: 'Received', cell: (c) => <Time iso={c.getValue()} /> }),
  column.accessor('source', { ...ANYWHERE, header: 'Source', cell: (c) => <span className="mono">{c.getValue()}</span> }),
  column.accessor('type', { ...NOWRAP, header: 'Type' }),
  column.accessor('outcome', {
    ...NOWRAP,
    header: 'Outcome',
    cell: (c) => (
      <span className="badges">
        <Badge value={c.getValue()} />
        {c.row.original.test && <Badge value="test" />}
      </span>
    ),
  }),
  column.accessor('reason', { header: 'Reason', cell: (c) => <ReasonCell event={c.row.original} /> }),
  column.accessor('userId', { ...ANYWHERE, header: 'User', cell: (c) => (c.getValue() ? <Link to={`/users?id=${encodeURIComponent(c.getValue()!)}`}>{c.getValue()}</Link> : '—') }),
  column.accessor('offerId', { ...ANYWHERE, header: 'Offer', cell: (c) => c.getValue() ?? '—' }),
  column.accessor('partner', { ...ANYWHERE, header: 'Partner', cell: (c) => c.getValue() ?? '—' }),
  column.accessor('review', { ...ANYWHERE, header: 'Review', cell: (c) => <ReviewSummary event={c.row.original} /> }),
  column.accessor('coins', { header: 'Coins', cell: (c) => <span className="num">{integer(c.getValue())}</span> }),
  column.accessor('amount', { header: 'Amount', cell: (c) => <Money amount={c.getValue()} currency={c.row.original.currency} /> }),
  column.display({
    id: 'open',
    ...NOWRAP,
    header: 'Details',
    cell: (c) => (
      <Link to={`/events/${c.row.original.id}`} aria-label={`Details of the ${c.row.original.outcome} event from ${c.row.original.source} at ${c.row.original.receivedAt}`}>
        Details
      </Link>
    ),
  }),
];
