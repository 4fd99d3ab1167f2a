import { useState } from 'react';
import type { LedgerEntry } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Empty, ErrorBox, Loading, Pager, Time } from '../../components/ui';
import { integer } from '../../format';
import { usePaged } from '../../hooks';
import { Link } from '../../router';

/** The user's ledger, newest first, each entry with its reason in words. */
export function UserLedger({ userId, version }: { userId: string; version: number }) {
  const ledger = usePaged<LedgerEntry>(`/users/${encodeURIComponent(userId)}/ledger?limit=50`, version);
  // After an adjustment its entry is the newest: back to the first page to show it.
  const [shownVersion, setShownVersion] = useState(version);
  if (shownVersion !== version) {
    setShownVersion(version);
    if (ledger.hasPrevious) ledger.first();
  }
  return (
    <section className="panel" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      <p className="hint">Newest first. The balance is the sum of these entries; a reversal or a debit is a negative entry. The exact reward is what the rule gave before rounding: whole coins are credited as a partner’s fractions add up.</p>
      <ErrorBox error={ledger.error} onRetry={ledger.reload} />
      {ledger.loading && ledger.data === undefined ? (
        <Loading what="Loading the ledger" />
      ) : (
        <DataTable
          caption={`Ledger of ${userId}`}
          data={ledger.items}
          rowKey={(e) => e.id}
          empty={<Empty>No entry: this user has not been credited yet.</Empty>}
          columns={[
            {
              id: 'at',
              header: 'When',
              cell: (c) => (
                <span className="nowrap">
                  <Time iso={c.row.original.createdAt} />
                </span>
              ),
            },
            { id: 'delta', header: 'Coins', cell: (c) => <Delta coins={c.row.original.delta} /> },
            { id: 'reason', header: 'Reason', cell: (c) => <span className="reason-cell">{c.row.original.reason}</span> },
            { id: 'exact', header: 'Exact reward', cell: (c) => (c.row.original.exactReward === null ? <span className="muted">—</span> : <span className="num">{c.row.original.exactReward}</span>) },
            { id: 'kind', header: 'Kind', cell: (c) => c.row.original.kind },
            { id: 'cause', header: 'Event', cell: (c) => (c.row.original.eventId ? <Link to={`/events/${encodeURIComponent(c.row.original.eventId)}`}>the event</Link> : <span className="muted">none</span>) },
          ]}
        />
      )}
      <Pager {...ledger} count={ledger.items.length} />
    </section>
  );
}

function Delta({ coins }: { coins: number }) {
  return (
    <span className={`num ${coins < 0 ? 'bad-text' : 'good-text'}`}>
      {coins > 0 ? '+' : ''}
      {integer(coins)}
    </span>
  );
}
