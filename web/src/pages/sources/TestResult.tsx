import type { SourceTestResult } from '../../api';
import { Badge, Code, CopyField, KeyValues } from '../../components/ui';
import { money, pretty, requestText } from '../../format';
import { Link } from '../../router';

/** What the hub made of a test postback: the event it recorded, the request sent and the answer. */
export function TestResult({ result }: { result: SourceTestResult }) {
  const event = result.event;
  return (
    <section className="test-result" aria-live="polite" aria-label="What the hub made of it">
      <h3>What the hub made of it</h3>
      {event ? (
        <div className={`outcome-box ${event.outcome}`}>
          <p>
            <Badge value={event.outcome} /> {event.outcome === 'accepted' ? `${event.coins} coins to ${event.userId ?? 'no user'}` : event.outcome === 'duplicate' ? `duplicate of ${event.duplicateOf ?? '?'}` : <strong>{event.reason}</strong>}
          </p>
          {event.detail && <p className="reason-detail">{event.detail}</p>}
          <KeyValues
            rows={[
              ['User', event.userId],
              ['External id', event.externalId],
              ['Offer', event.offerId],
              ['Type', event.type],
              ['Amount', event.amount === null ? null : money(event.amount, event.currency)],
            ]}
          />
          <Link to={`/events/${event.id}`}>Open this event in the explorer</Link>
        </div>
      ) : (
        <p>The hub recorded no event for it.</p>
      )}
      {result.notes.length > 0 && (
        <ul className="notes">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="grid-2 top">
        <div>
          <h4>Request sent</h4>
          <Code>{requestText(result.request)}</Code>
        </div>
        <div>
          <h4>Answer: HTTP {result.answer.status}</h4>
          <Code>{pretty(result.answer.body) || '(empty body)'}</Code>
        </div>
      </div>
      <CopyField label="Event id" value={event?.id ?? ''} />
    </section>
  );
}
