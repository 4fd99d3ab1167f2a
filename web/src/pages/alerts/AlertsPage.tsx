import type { FiringAlert } from '../../api';
import { Empty, ErrorBox, Loading, PageHeader, Time } from '../../components/ui';
import { useApi } from '../../hooks';
import { AlertChannels } from './AlertChannels';
import { AlertHistory } from './AlertHistory';
import { AlertRulesForm } from './AlertRulesForm';
import { RULE_TITLE } from './rule-words';

/** What fires now, oldest first. */
function FiringNow() {
  const firing = useApi<{ items: FiringAlert[] }>('/alerts');
  const items = firing.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="firing-title">
      <div className="panel-header">
        <h2 id="firing-title">Firing now</h2>
        <button type="button" className="small" onClick={firing.reload} disabled={firing.loading}>
          Refresh
        </button>
      </div>
      <ErrorBox error={firing.error} onRetry={firing.reload} />
      {firing.loading && firing.data === undefined ? (
        <Loading what="Loading the alerts" />
      ) : items.length === 0 ? (
        <Empty>Nothing is firing. Every rule’s condition is clear.</Empty>
      ) : (
        <ul className="alert-list">
          {items.map((a) => (
            <li key={`${a.rule}:${a.subject}`} className="alert-item firing">
              <div className="alert-head">
                <span className="badge bad">firing</span>
                <strong>{a.title}</strong>
                <span className="muted">{RULE_TITLE[a.rule] ?? a.rule}</span>
              </div>
              <p>{a.message}</p>
              <p className="muted">
                Since <Time iso={a.startedAt} /> · last notice <Time iso={a.lastNoticeAt} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Alerts: what fires now, every notice sent, the rules and where notices go. */
export function AlertsPage() {
  return (
    <div>
      <PageHeader title="Alerts" />
      <p className="lead">
        The hub watches its destinations, deliveries, sources, held events and store, and tells your chat and your inbox. An alert fires once when its condition starts, repeats at most every
        repeat interval while it lasts, and sends one notice when it ends.
      </p>
      <div className="catalog-grid">
        <FiringNow />
        <AlertChannels />
      </div>
      <AlertHistory />
      <AlertRulesForm />
    </div>
  );
}
