import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { api, download, qs, type DeliveryRow, type Replayed } from '../api';
import { DataTable } from '../components/DataTable';
import { DateRange, rangeQuery } from '../components/DateRange';
import { Badge, Empty, ErrorBox, Field, Loading, Money, Notice, PageHeader, Pager, Time } from '../components/ui';
import { useAction, usePaged } from '../hooks';
import { Link, useQueryState } from '../router';
import { useCan } from '../session';
import { AttemptsDialog, useDestinationNames } from './Deliveries';

const column = createColumnHelper<DeliveryRow>();

/** The table's columns; the actions open a delivery's attempts and replay a failed one. */
function historyColumns({ names, busy, canReplay, onAttempts, onReplay }: { names: Record<string, string>; busy: boolean; canReplay: boolean; onAttempts: (row: DeliveryRow) => void; onReplay: (row: DeliveryRow) => void }) {
  return [
    column.accessor('createdAt', { header: 'Time', cell: (c) => <Time iso={c.getValue()} /> }),
    column.accessor('destinationId', { header: 'Destination', cell: (c) => c.row.original.destinationName ?? names[c.getValue()] ?? <span className="mono">{c.getValue()}</span> }),
    column.accessor('eventType', { header: 'Event', cell: (c) => <Link to={`/events/${c.row.original.eventId}`}>{c.getValue()}</Link> }),
    column.accessor('offerId', { header: 'Offer', cell: (c) => c.getValue() ?? '—' }),
    column.accessor('advertiser', { header: 'Advertiser', cell: (c) => c.getValue() ?? '—' }),
    column.accessor('payout', { header: 'Payout', cell: (c) => <Money amount={c.getValue()} currency={c.row.original.currency} /> }),
    column.accessor('state', {
      header: 'State',
      cell: (c) => (
        <span className="badges">
          <Badge value={c.getValue()} />
          {c.row.original.test && <Badge value="test" />}
        </span>
      ),
    }),
    column.accessor('lastStatus', { header: 'HTTP code', cell: (c) => <span className="num">{c.getValue() ?? '—'}</span> }),
    column.accessor('attempts', { header: 'Attempts', cell: (c) => <span className="num">{c.getValue()}</span> }),
    column.display({
      id: 'actions',
      header: 'Actions',
      cell: (c) => (
        <div className="row-actions">
          <button type="button" className="small" onClick={() => onAttempts(c.row.original)}>
            Attempts
          </button>
          {canReplay && c.row.original.state === 'failed' && (
            <button type="button" className="small" onClick={() => onReplay(c.row.original)} disabled={busy}>
              Replay
            </button>
          )}
        </div>
      ),
    }),
  ];
}

type HistoryFilter = { from: string; to: string; destination: string; state: string };

/** The filters as the deliveries list and its CSV export take them. */
const apiQuery = (filter: HistoryFilter) => ({ ...rangeQuery(filter), destination: filter.destination, state: filter.state });

/** The date range, the destination and the delivery state, applied as they change. */
function HistoryFilters({ filter, names, set }: { filter: HistoryFilter; names: Record<string, string>; set: (next: Partial<HistoryFilter>) => void }) {
  return (
    <div className="filters">
      <DateRange value={{ from: filter.from, to: filter.to }} onChange={(range) => set(range)} />
      <div className="filter-fields">
        <Field label="Destination">
          {(id) => (
            <select id={id} value={filter.destination} onChange={(e) => set({ destination: e.target.value })}>
              <option value="">all</option>
              {Object.entries(names).map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="State">
          {(id) => (
            <select id={id} value={filter.state} onChange={(e) => set({ state: e.target.value })}>
              <option value="">any</option>
              <option value="pending">pending</option>
              <option value="delivering">delivering</option>
              <option value="succeeded">succeeded</option>
              <option value="failed">failed</option>
            </select>
          )}
        </Field>
      </div>
    </div>
  );
}

/** Replaying one delivery or every failed one in the filters, and the CSV download; what each did in words. */
function useHistoryActions(filter: HistoryFilter, names: Record<string, string>, reload: () => void) {
  const action = useAction();
  const [message, setMessage] = useState<string | null>(null);

  const replayOne = async (row: DeliveryRow) => {
    const done = await action.run(() => api<Replayed>(`/deliveries/${encodeURIComponent(row.id)}/replay`, { method: 'POST' }));
    if (done) {
      setMessage(done.replayed === 1 ? 'The delivery is queued again.' : 'Nothing replayed: it is being sent right now.');
      reload();
    }
  };
  const replayFailed = async () => {
    const scope = filter.destination ? `of ${names[filter.destination] ?? filter.destination}` : 'of every destination';
    if (!window.confirm(`Replay every failed delivery ${scope} in this date range?`)) return;
    const done = await action.run(() => api<Replayed>('/deliveries/replay', { body: { ...rangeQuery(filter), ...(filter.destination ? { destination: filter.destination } : {}), state: 'failed' } }));
    if (done) {
      setMessage(`${done.replayed} failed deliver${done.replayed === 1 ? 'y' : 'ies'} queued again.`);
      reload();
    }
  };
  const csv = async () => {
    setMessage(null);
    await action.run(() => download(`/deliveries/export.csv${qs(apiQuery(filter))}`, `postback-history-${new Date().toISOString().slice(0, 10)}.csv`));
  };
  return { action, message, setMessage, replayOne, replayFailed, csv };
}

/**
 * MomentScience's postback history: when, offer, advertiser, payout, state and HTTP code; a date
 * range with shortcuts, refresh, CSV download, and replay of one or all that failed.
 */
export function History() {
  const [query, setQuery] = useQueryState();
  const filter: HistoryFilter = { from: query.get('from') ?? '', to: query.get('to') ?? '', destination: query.get('destination') ?? '', state: query.get('state') ?? '' };
  const set = (next: Partial<typeof filter>) => setQuery({ ...filter, ...next });
  const [refreshed, setRefreshed] = useState(0);
  const list = usePaged<DeliveryRow>(`/deliveries${qs({ limit: 50, ...apiQuery(filter) })}`, refreshed);
  const names = useDestinationNames();
  const [open, setOpen] = useState<DeliveryRow | null>(null);
  const { action, message, setMessage, replayOne, replayFailed, csv } = useHistoryActions(filter, names, list.reload);
  const canReplay = useCan('deliveries:replay');
  const canExport = useCan('reports:read');

  const columns = useMemo(
    () => historyColumns({ names, busy: action.busy, canReplay, onAttempts: setOpen, onReplay: (row) => void replayOne(row) }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [names, action.busy, canReplay],
  );

  return (
    <div>
      <PageHeader title="Postback history">
        <button
          type="button"
          onClick={() => {
            setMessage(null);
            setRefreshed((n) => n + 1);
          }}
          disabled={list.loading}
        >
          Refresh
        </button>
        {canExport && (
          <button type="button" onClick={() => void csv()} disabled={action.busy}>
            Download CSV
          </button>
        )}
        {canReplay && (
          <button type="button" onClick={() => void replayFailed()} disabled={action.busy}>
            Replay all failed
          </button>
        )}
      </PageHeader>
      <p className="lead">Every postback sent to a partner, newest first. The CSV holds everything that matches the filters, not just this page.</p>
      <HistoryFilters filter={filter} names={names} set={set} />
      <Notice>{message}</Notice>
      <ErrorBox error={action.error ?? list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading the history" />
      ) : (
        <DataTable
          caption="Postback history"
          data={list.items}
          columns={columns}
          rowKey={(d) => d.id}
          rowClassName={(d) => (d.state === 'failed' ? 'row-bad' : undefined)}
          empty={<Empty>No postback sent in this range. Destinations receive the events they want once they are accepted.</Empty>}
        />
      )}
      <Pager {...list} count={list.items.length} />
      {open && (
        <AttemptsDialog
          delivery={open}
          onClose={() => setOpen(null)}
          onReplayed={list.reload}
        />
      )}
    </div>
  );
}
