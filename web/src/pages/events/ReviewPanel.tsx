import { useState } from 'react';
import { api, ApiError, type FraudFlag, type HubEvent } from '../../api';
import { Badge, ErrorBox, Notice } from '../../components/ui';
import { useAction } from '../../hooks';
import { useCan } from '../../session';
import { REVIEW_WORDS } from './review-words';

/** What the fraud checks found, and the operator's decision: approve a held event, reject one. */
export function ReviewPanel({ event, onChanged }: { event: HubEvent; onChanged: () => void }) {
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);
  const mayReview = useCan('events:review');
  const canApprove = mayReview && event.review === 'held';
  const canReject = mayReview && (event.review === 'flagged' || event.review === 'held' || event.review === 'approved');
  const decide = async (approve: boolean) => {
    setMessage(null);
    const question = approve
      ? 'Approve this event? It is credited and its postbacks are sent now.'
      : event.review === 'held'
        ? 'Reject this event? It stays uncredited and no postback is sent.'
        : 'Reject this event? Its credit is reversed; postbacks already sent are not recalled.';
    if (!window.confirm(question)) return;
    const done = await action.run(() =>
      api<HubEvent>(`/events/${encodeURIComponent(event.id)}/${approve ? 'approve' : 'reject'}`, { method: 'POST' }).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 409) {
          onChanged();
          throw new Error(`${e.message}. It may have been reviewed meanwhile: the page now shows its current state.`);
        }
        throw e;
      }),
    );
    if (done) {
      setMessage(approve ? 'Approved: the event is credited and its postbacks are queued.' : 'Rejected: the event is not credited and no longer counts as a conversion.');
      onChanged();
    }
  };
  return (
    <section className="panel" aria-labelledby="review-title">
      <h2 id="review-title">Fraud review</h2>
      {event.review && (
        <div className={`callout${event.review === 'rejected' ? ' bad' : event.review === 'held' || event.review === 'flagged' ? ' warn' : ''}`} role="note">
          <strong>{REVIEW_WORDS[event.review].text}</strong>
        </div>
      )}
      {event.flags.length > 0 && <FlagList flags={event.flags} />}
      <Notice>{message}</Notice>
      <ErrorBox error={action.error} />
      {(canApprove || canReject) && (
        <div className="actions">
          {canApprove && (
            <button type="button" className="primary" onClick={() => void decide(true)} disabled={action.busy}>
              Approve
            </button>
          )}
          {canReject && (
            <button type="button" className="danger" onClick={() => void decide(false)} disabled={action.busy}>
              Reject
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** Each finding: the check, what it does (flag or hold) and why, in words. */
function FlagList({ flags }: { flags: FraudFlag[] }) {
  return (
    <ul className="flag-items" aria-label="Fraud-check findings">
      {flags.map((f) => (
        <li key={`${f.check}:${f.detail}`}>
          <div className="flag-head">
            <strong className="mono">{f.check}</strong>
            <Badge value={f.action} label={f.action === 'hold' ? 'hold for review' : 'flag'} />
          </div>
          <p>{f.detail}</p>
        </li>
      ))}
    </ul>
  );
}
