import { createColumnHelper } from '@tanstack/react-table';
import { qs, type AlertChannel, type AlertNotice, type Page } from '../../api';
import { DataTable } from '../../components/DataTable';
import { DateRange, rangeQuery, type Range } from '../../components/DateRange';
import { Badge, Empty, ErrorBox, Field, Loading, Pager, Time } from '../../components/ui';
import { useApi, useFilterDraft, usePaged } from '../../hooks';
import { useQueryFilter } from '../../router';
import { RULES, RULE_TITLE } from './rule-words';

const STATE_TONE: Record<AlertNotice['state'], { value: string; label: string }> = {
  firing: { value: 'failed', label: 'firing' },
  repeat: { value: 'pending', label: 'still firing' },
  resolved: { value: 'succeeded', label: 'resolved' },
};

/** Whether the notice reached each channel (names from the channel list; a deleted channel by its id). */
function Reached({ notice, names }: { notice: AlertNotice; names: Map<string, string> }) {
  const outcomes = Object.entries(notice.outcomes);
  if (outcomes.length === 0 && notice.pending.length === 0) return <span className="muted">no channel</span>;
  return (
    <ul className="reached">
      {outcomes.map(([id, o]) => (
        <li key={id} title={o.detail}>
          <span aria-hidden="true">{o.ok ? '✓' : '✗'}</span> {names.get(id) ?? id}
          {!o.ok && <span className="muted"> — {o.detail}{notice.pending.includes(id) ? ' (retrying)' : ''}</span>}
        </li>
      ))}
      {notice.pending
        .filter((id) => notice.outcomes[id] === undefined)
        .map((id) => (
          <li key={id}>
            <span aria-hidden="true">…</span> {names.get(id) ?? id} <span className="muted">(sending)</span>
          </li>
        ))}
    </ul>
  );
}

const column = createColumnHelper<AlertNotice>();

function columns(names: Map<string, string>) {
  return [
    column.accessor('at', { header: 'Time', cell: (c) => <Time iso={c.getValue()} /> }),
    column.accessor('state', { header: 'Notice', cell: (c) => <Badge {...STATE_TONE[c.getValue()]} /> }),
    column.display({
      id: 'alert',
      header: 'Alert',
      cell: (c) => (
        <div className="notice-text">
          <strong>{c.row.original.title}</strong>
          <div>{c.row.original.message}</div>
          <div className="muted">
            {RULE_TITLE[c.row.original.rule] ?? c.row.original.rule} · since <Time iso={c.row.original.startedAt} />
          </div>
        </div>
      ),
    }),
    column.display({ id: 'reached', header: 'Reached', cell: (c) => <Reached notice={c.row.original} names={names} /> }),
  ];
}

const EMPTY_FILTER = { rule: '', state: '', from: '', to: '' };
type HistoryFilter = typeof EMPTY_FILTER;

function HistoryFilters({ applied, apply }: { applied: HistoryFilter; apply: (next: HistoryFilter) => void }) {
  const { draft, submit, applyNow } = useFilterDraft(applied, apply);
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter the alert history">
      <DateRange value={{ from: draft.from, to: draft.to }} onChange={(range: Range) => applyNow({ ...draft, ...range })} />
      <div className="filter-fields">
        <Field label="Rule">
          {(id) => (
            <select id={id} value={draft.rule} onChange={(e) => applyNow({ ...draft, rule: e.target.value })}>
              <option value="">any</option>
              {RULES.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Notice">
          {(id) => (
            <select id={id} value={draft.state} onChange={(e) => applyNow({ ...draft, state: e.target.value })}>
              <option value="">any</option>
              <option value="firing">firing</option>
              <option value="repeat">still firing</option>
              <option value="resolved">resolved</option>
            </select>
          )}
        </Field>
        <div className="filter-buttons">
          <button type="button" onClick={() => apply(EMPTY_FILTER)}>
            Clear
          </button>
        </div>
      </div>
    </form>
  );
}

/** Every notice sent, newest first, with whether it reached each channel; filters in the query string. */
export function AlertHistory() {
  const [applied, setQuery] = useQueryFilter(EMPTY_FILTER);
  const list = usePaged<AlertNotice>(`/alerts/history${qs({ limit: 25, rule: applied.rule, state: applied.state, ...rangeQuery(applied) })}`);
  // Read again with each page of notices: a channel added since names its outcomes too.
  const channels = useApi<Page<AlertChannel>>('/alerts/channels?limit=100', list.data);
  const names = new Map((channels.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <section className="panel" aria-labelledby="history-title">
      <div className="panel-header">
        <h2 id="history-title">History</h2>
        <button type="button" className="small" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </div>
      <HistoryFilters applied={applied} apply={setQuery} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading the alert history" />
      ) : (
        <div className="audit-table">
          <DataTable caption="Alert history" data={list.items} columns={columns(names)} rowKey={(n) => n.id} empty={<Empty>No notice matches these filters.</Empty>} />
        </div>
      )}
      <Pager {...list} count={list.items.length} />
    </section>
  );
}
