import { qs, type Trace } from '../../api';
import { Badge, Empty, ErrorBox, Loading, Time } from '../../components/ui';
import { useApi } from '../../hooks';
import { Link, useQueryState } from '../../router';
import { TraceFilters, traceFilterOf, type TraceFilter } from './TraceFilters';
import { STATE_WORDS, STEP_KINDS } from './trace-words';

/**
 * "Where is my reward?": the one sentence the reward app shows its user, and the steps behind it
 * (clicks, postbacks and what became of them, credits, reviews, reversals), oldest first.
 */
export function RewardTrace({ userId, version }: { userId: string; version: number }) {
  const [query, setQuery] = useQueryState();
  const applied = traceFilterOf(query);
  const trace = useApi<Trace>(`/users/${encodeURIComponent(userId)}/trace${qs(applied)}`, version);
  const apply = (next: TraceFilter) => setQuery({ id: query.get('id') ?? userId, ...next });
  return (
    <section className="panel" aria-labelledby="trace-title">
      <header className="panel-header">
        <h2 id="trace-title">Where is my reward?</h2>
        <button type="button" className="small" onClick={trace.reload} disabled={trace.loading}>
          Refresh
        </button>
      </header>
      <p className="hint">What the reward app tells this user, and how the hub got there. Narrow it to one offer, one transaction or one partner when the user asks about a particular reward.</p>
      <TraceFilters applied={applied} apply={apply} />
      <ErrorBox error={trace.error} onRetry={trace.reload} />
      {trace.loading && trace.data === undefined && <Loading what="Tracing" />}
      {trace.data && (
        <>
          <TraceStatus status={trace.data.status} />
          <TraceSteps steps={trace.data.steps} />
        </>
      )}
    </section>
  );
}

function TraceStatus({ status }: { status: Trace['status'] }) {
  return (
    <div className={`trace-status ${status.state}`} role="status" aria-label="Status">
      <Badge value={status.state} label={STATE_WORDS[status.state]} />
      <p>{status.message}</p>
    </div>
  );
}

function TraceSteps({ steps }: { steps: Trace['steps'] }) {
  if (steps.length === 0) return <Empty>No click, no postback and no ledger entry to show.</Empty>;
  return (
    <ol className="timeline" aria-label="Steps, oldest first">
      {steps.map((step, i) => {
        const kind = STEP_KINDS[step.kind];
        return (
          <li key={`${step.at}:${step.kind}:${step.entryId ?? step.eventId ?? step.clickId ?? i}`} className={`timeline-step ${kind.tone}`}>
            <div className="timeline-head">
              <span className={`badge ${kind.tone}`}>{kind.label}</span>
              <Time iso={step.at} />
            </div>
            <p className="timeline-text">{step.text}</p>
            {step.eventId !== undefined && (
              <Link to={`/events/${encodeURIComponent(step.eventId)}`} className="timeline-link">
                The event in the explorer
              </Link>
            )}
          </li>
        );
      })}
    </ol>
  );
}
