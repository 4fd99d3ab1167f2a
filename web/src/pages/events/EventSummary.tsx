import type { HubEvent } from '../../api';
import { Badge, Code, KeyValues, Time } from '../../components/ui';
import { integer, money } from '../../format';
import { Link } from '../../router';
import { REVIEW_WORDS } from './review-words';

/** The event's outcome (and why), and every value it carries. */
export function EventSummary({ event }: { event: HubEvent }) {
  return (
    <section className="panel">
      <h2>
        <Badge value={event.outcome} /> {event.type} from <span className="mono">{event.source}</span> {event.review && <Badge value={event.review} label={REVIEW_WORDS[event.review].badge} />}{' '}
        {event.test && <Badge value="test" label="test: credited nobody" />}
      </h2>
      {event.outcome === 'rejected' && (
        <div className="callout bad" role="note">
          <strong>Rejected: {event.reason}</strong>
          {event.detail && <p className="reason-detail">{event.detail}</p>}
        </div>
      )}
      {event.outcome === 'duplicate' && event.duplicateOf && (
        <div className="callout" role="note">
          A repeat of <Link to={`/events/${event.duplicateOf}`}>an earlier postback</Link>: recorded, nothing credited.
        </div>
      )}
      <KeyValues
        rows={[
          ['Event id', <span className="mono">{event.id}</span>],
          ['Received', <Time iso={event.receivedAt} />],
          ['User', event.userId ? <Link to={`/users?id=${encodeURIComponent(event.userId)}`}>{event.userId}</Link> : null],
          ['External id', event.externalId],
          ['Offer', event.offerId],
          ['App', event.appPid],
          ['Level', event.level === null ? null : String(event.level)],
          ['Coins', integer(event.coins)],
          ['Amount', event.amount === null ? null : money(event.amount, event.currency)],
          ['Click id', event.clickId === null ? null : <span className="mono">{event.clickId}</span>],
          ['Partner', event.partner],
          ['Tracking link', event.linkId === null ? null : <span className="mono">{event.linkId}</span>],
          ['Partner click id', event.partnerClickId === null ? null : <span className="mono">{event.partnerClickId}</span>],
        ]}
      />
      {Object.keys(event.metadata).length > 0 && (
        <>
          <h3>Metadata</h3>
          <Code>{JSON.stringify(event.metadata, null, 2)}</Code>
        </>
      )}
    </section>
  );
}
