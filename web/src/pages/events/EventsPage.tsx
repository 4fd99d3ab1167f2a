import { qs, type HubEvent } from '../../api';
import { DataTable } from '../../components/DataTable';
import { rangeQuery } from '../../components/DateRange';
import { Empty, ErrorBox, Loading, PageHeader, Pager } from '../../components/ui';
import { usePaged } from '../../hooks';
import { EVENT_COLUMNS } from './event-columns';
import { EventFilters, useEventFilter } from './EventFilters';

/** The event explorer: every recorded event, newest first, filtered from the URL. */
export function EventsPage() {
  const { applied, apply } = useEventFilter();
  const path = `/events${qs({ limit: 50, ...rangeQuery({ from: applied.from, to: applied.to }), source: applied.source, status: applied.status, user: applied.user, offer: applied.offer, partner: applied.partner, review: applied.review })}`;
  const list = usePaged<HubEvent>(path);
  return (
    <div>
      <PageHeader title="Events">
        <button type="button" className="small" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </PageHeader>
      <p className="lead">Every postback and platform event, accepted, duplicate or rejected with its reason, with the partner it is attributed to and what the fraud checks found. Newest first.</p>
      <EventFilters applied={applied} apply={apply} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading events" />
      ) : (
        <div className="events-table">
        <DataTable
          caption="Events"
          data={list.items}
          columns={EVENT_COLUMNS}
          rowKey={(e) => e.id}
          rowClassName={(e) => (e.outcome === 'rejected' ? 'row-bad' : e.review === 'held' ? 'row-warn' : undefined)}
          empty={<Empty>No event matches these filters. Widen the date range or clear the filters.</Empty>}
        />
        </div>
      )}
      <Pager {...list} count={list.items.length} />
    </div>
  );
}
