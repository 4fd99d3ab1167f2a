import type { HubEvent } from '../../api';
import { Code } from '../../components/ui';
import { pretty } from '../../format';

/** The HTTP request the event came in, as kept (credentials redacted). */
export function RawRequestPanel({ event }: { event: HubEvent }) {
  return (
    <section className="panel">
      <h2>Raw request</h2>
      {event.raw === null ? (
        <p className="muted">Not kept (pruned after the retention period, or an event without an HTTP request).</p>
      ) : (
        <>
          <p className="mono">
            {event.raw.method} {event.raw.path} · from {event.raw.ip}
          </p>
          <div className="grid-2 top">
            <div>
              <h3>Query</h3>
              <Code>{Object.keys(event.raw.query).length === 0 ? '(none)' : JSON.stringify(event.raw.query, null, 2)}</Code>
              <h3>Headers</h3>
              <Code>{Object.entries(event.raw.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}</Code>
            </div>
            <div>
              <h3>Body{event.raw.bodyTruncated ? ' (truncated)' : ''}</h3>
              <Code>{event.raw.body === null ? '(none)' : pretty(event.raw.body)}</Code>
            </div>
          </div>
          <p className="hint">Secrets (tokens, signatures’ keys, secret parameters) were redacted before the request was stored.</p>
        </>
      )}
    </section>
  );
}
