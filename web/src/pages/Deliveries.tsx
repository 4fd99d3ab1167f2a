import { useState } from 'react';
import { api, type DeliveryDetail, type DeliveryRow, type Destination, type Page, type Replayed } from '../api';
import { DataTable } from '../components/DataTable';
import { Badge, Code, Dialog, Empty, ErrorBox, KeyValues, Loading, Time } from '../components/ui';
import { useAction, useApi } from '../hooks';
import { useCan } from '../session';

/** Every attempt of a delivery: when, the request (no secrets), status, latency, answer, error. */
export function Attempts({ id, onReplayed }: { id: string; onReplayed?: () => void }) {
  const { data, error, loading, reload } = useApi<DeliveryDetail>(`/deliveries/${encodeURIComponent(id)}`);
  const action = useAction();
  const canReplay = useCan('deliveries:replay');
  const replay = async () => {
    const done = await action.run(() => api<Replayed>(`/deliveries/${encodeURIComponent(id)}/replay`, { method: 'POST' }));
    if (done) {
      reload();
      onReplayed?.();
    }
  };
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (data === undefined) return loading ? <Loading what="Loading the attempts" /> : null;
  return (
    <div className="attempts">
      <KeyValues
        rows={[
          ['Destination', data.destinationName ?? <span className="mono">{data.destinationId} (deleted)</span>],
          ['Delivery id (idempotency key)', <span className="mono">{data.id}</span>],
          ['State', <Badge value={data.state} />],
          ['Attempts', String(data.attempts)],
          ['Next attempt', <Time iso={data.nextAttemptAt} />],
          ['Last status', data.lastStatus === null ? null : String(data.lastStatus)],
          ['Last error', data.lastError],
        ]}
      />
      <div className="actions">
        {canReplay && (
          <button type="button" className="small" onClick={() => void replay()} disabled={action.busy || data.state === 'delivering'}>
            {action.busy ? 'Replaying…' : 'Replay this delivery'}
          </button>
        )}
        <button type="button" className="small" onClick={reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={action.error} />
      {data.history.length === 0 ? (
        <Empty>Not attempted yet.</Empty>
      ) : (
        <ol className="attempt-list">
          {data.history.map((a, i) => (
            <li key={i} className={a.status !== null && a.status < 300 && a.error === null ? 'ok' : 'ko'}>
              <p>
                <strong>Attempt {a.attempt}</strong> · <Time iso={a.startedAt} /> · {a.status === null ? 'no answer' : `HTTP ${a.status}`}
                {a.latencyMs !== null && ` · ${a.latencyMs} ms`}
              </p>
              {a.error && <p className="bad-text">{a.error}</p>}
              <details>
                <summary>Request and answer</summary>
                <Code>{`${a.method} ${a.url}\n${Object.entries(a.requestHeaders)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join('\n')}`}</Code>
                <Code>{a.responseExcerpt ?? '(no answer body)'}</Code>
              </details>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** The deliveries of one event, each with its attempts. */
export function DeliveryList({ eventId }: { eventId: string }) {
  const { data, error, loading, reload } = useApi<Page<DeliveryRow>>(`/deliveries?limit=100&event=${encodeURIComponent(eventId)}`);
  const destinations = useDestinationNames();
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (data === undefined) return loading ? <Loading what="Loading deliveries" /> : null;
  if (data.items.length === 0) return <p className="muted">No destination wanted this event (or it was not accepted).</p>;
  return (
    <div className="delivery-list">
      {data.items.map((d) => (
        <article key={d.id} className="sub-panel">
          <h3>
            To {d.destinationName ?? destinations[d.destinationId] ?? d.destinationId} <Badge value={d.state} />
          </h3>
          <Attempts id={d.id} onReplayed={reload} />
        </article>
      ))}
    </div>
  );
}

/** Destination id → name, for tables of deliveries (ids only for a role that may not read the configuration). */
export function useDestinationNames(): Record<string, string> {
  const { data } = useApi<Page<Destination>>(useCan('config:read') ? '/destinations?limit=500' : null);
  return Object.fromEntries((data?.items ?? []).map((d) => [d.id, d.name]));
}

export function AttemptsDialog({ delivery, onClose, onReplayed }: { delivery: DeliveryRow; onClose: () => void; onReplayed: () => void }) {
  const [open] = useState(true);
  return (
    <Dialog title={`Delivery of ${delivery.eventType} to ${delivery.destinationName ?? 'a deleted destination'}`} open={open} onClose={onClose} wide>
      <DataTable
        caption="The event"
        data={[delivery]}
        rowKey={(d) => d.id}
        empty=""
        columns={[
          { id: 'user', header: 'User', cell: (c) => c.row.original.userId ?? '—' },
          { id: 'offer', header: 'Offer', cell: (c) => c.row.original.offerId ?? '—' },
          { id: 'event', header: 'Event', cell: (c) => <a href={`/admin/events/${c.row.original.eventId}`}>{c.row.original.eventId}</a> },
        ]}
      />
      <Attempts id={delivery.id} onReplayed={onReplayed} />
    </Dialog>
  );
}
