import type { SourceTestResult } from '../../api';
import { Badge, Code, CopyField, KeyValues } from '../../components/ui';
import { money, pretty, requestText } from '../../format';
import { Link } from '../../router';

/** What the hub made of a test postback: the event it recorded, what it would have credited, where it went, the request sent and the answer. */
export function TestResult({ result }: { result: SourceTestResult }) {
  const event = result.event;
  const credit =
    result.wouldCredit === null ? null : `Credited nobody (a test): a real postback like it would credit ${result.wouldCredit} coins${event?.userId ? ` to ${event.userId}` : ''}.`;
  return (
    <section className="test-result" aria-live="polite" aria-label="What the hub made of it">
      <h3>What the hub made of it</h3>
      {event ? (
        <div className={`outcome-box ${event.outcome}`}>
          <p className="badges">
            <Badge value={event.outcome} /> {event.test && <Badge value="test" />}{' '}
            {event.outcome === 'accepted' ? `for ${event.userId ?? 'no user'}` : event.outcome === 'duplicate' ? `duplicate of ${event.duplicateOf ?? '?'}` : <strong>{event.reason}</strong>}
          </p>
          {event.detail && <p className="reason-detail">{event.detail}</p>}
          {event.outcome === 'accepted' && credit && <p>{credit}</p>}
          <Deliveries result={result} />
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

/** Where the test went: the picked destinations that took it, and those it did not go to. */
function Deliveries({ result }: { result: SourceTestResult }) {
  const { deliveries, notPicked, notMatched } = result;
  return (
    <ul className="test-deliveries" aria-label="Deliveries">
      {deliveries.length === 0 ? <li>Delivered to no destination.</li> : deliveries.map((d) => <li key={d.id}>Queued for {d.destination.name} (marked test in the history).</li>)}
      {notPicked.length > 0 && <li>Not sent to {notPicked.map((d) => d.name).join(', ')}: not picked.</li>}
      {notMatched.length > 0 && <li>Not sent to {notMatched.map((d) => d.name).join(', ')}: {notMatched.length === 1 ? 'it does' : 'they do'} not take this postback.</li>}
    </ul>
  );
}
