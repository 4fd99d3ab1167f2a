import { useEffect, useState } from 'react';
import { api, ApiError, errorText, qs, type HubEvent, type LedgerEntry, type Page } from '../../api';
import { DataTable } from '../../components/DataTable';
import { ErrorBox, Loading, Time } from '../../components/ui';
import { integer } from '../../format';
import { Link } from '../../router';

/** The user's ledger entries caused by this event (the ledger is read newest first, back to the event). */
export function EventLedger({ event }: { event: HubEvent }) {
  const [entries, setEntries] = useState<LedgerEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (event.userId === null || event.test) return;
    let cancelled = false;
    void (async () => {
      try {
        const found: LedgerEntry[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 10; page++) {
          const result: Page<LedgerEntry> = await api<Page<LedgerEntry>>(`/users/${encodeURIComponent(event.userId!)}/ledger${qs({ limit: 500, cursor })}`);
          found.push(...result.items.filter((e) => e.eventId === event.id));
          const oldest = result.items[result.items.length - 1];
          cursor = result.nextCursor;
          if (cursor === null || (oldest && Date.parse(oldest.createdAt) < Date.parse(event.receivedAt) - 60_000)) break;
        }
        if (!cancelled) setEntries(found);
      } catch (e) {
        if (!cancelled) setError(e instanceof ApiError && e.status === 404 ? 'The user no longer exists.' : errorText(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [event]);
  if (event.test) {
    const would = typeof event.metadata.wouldCredit === 'string' && event.outcome === 'accepted' ? ` (a real postback like it would credit ${event.metadata.wouldCredit} coins)` : '';
    return <p className="muted">A test postback: it credited nobody{would}.</p>;
  }
  if (event.userId === null) return <p className="muted">No user: nothing was credited.</p>;
  if (error) return <ErrorBox error={error} />;
  if (entries === null) return <Loading what="Reading the ledger" />;
  if (entries.length === 0) return <p className="muted">No ledger entry: this event moved no coins.</p>;
  return (
    <DataTable
      caption="Ledger entries of this event"
      data={entries}
      rowKey={(e) => e.id}
      empty=""
      columns={[
        { id: 'at', header: 'When', cell: (c) => <Time iso={c.row.original.createdAt} /> },
        { id: 'kind', header: 'Cause', cell: (c) => c.row.original.kind },
        { id: 'delta', header: 'Coins', cell: (c) => <span className={`num ${c.row.original.delta < 0 ? 'bad-text' : 'good-text'}`}>{c.row.original.delta > 0 ? '+' : ''}{integer(c.row.original.delta)}</span> },
        { id: 'user', header: 'User', cell: (c) => <Link to={`/users?id=${encodeURIComponent(c.row.original.userId)}`}>{c.row.original.userId}</Link> },
      ]}
    />
  );
}
