import type { HubEvent } from '../../api';
import { ErrorBox, Loading, PageHeader } from '../../components/ui';
import { useApi } from '../../hooks';
import { Link } from '../../router';
import { DeliveryList } from '../Deliveries';
import { EventLedger } from './EventLedger';
import { EventSummary } from './EventSummary';
import { MappingPanel } from './MappingPanel';
import { RawRequestPanel } from './RawRequestPanel';
import { ReviewPanel } from './ReviewPanel';

/** One event: what it is, its review, how its source read it, the request, its ledger entries and deliveries. */
export function EventDetail({ id }: { id: string }) {
  const { data: event, error, loading, reload } = useApi<HubEvent>(`/events/${encodeURIComponent(id)}`);
  return (
    <div>
      <PageHeader title="Event">
        <Link to="/events" className="button small">
          ← All events
        </Link>
        <button type="button" className="small" onClick={reload}>
          Refresh
        </button>
      </PageHeader>
      <ErrorBox error={error} onRetry={reload} />
      {loading && event === undefined && <Loading what="Loading the event" />}
      {event && <EventBody event={event} onChanged={reload} />}
    </div>
  );
}

function EventBody({ event, onChanged }: { event: HubEvent; onChanged: () => void }) {
  return (
    <>
      <EventSummary event={event} />
      {(event.review !== null || event.flags.length > 0) && <ReviewPanel event={event} onChanged={onChanged} />}
      <MappingPanel event={event} />
      <RawRequestPanel event={event} />
      <section className="panel">
        <h2>Ledger entries</h2>
        <EventLedger event={event} />
      </section>
      <section className="panel">
        <h2>Deliveries</h2>
        {event.review === 'held' ? (
          <p className="muted">None yet: held for review, it gets its deliveries (to the destinations that want it) when it is approved.</p>
        ) : (
          // Approving sends the postbacks: read them again when the review changes.
          <DeliveryList key={event.review ?? ''} eventId={event.id} />
        )}
      </section>
    </>
  );
}
