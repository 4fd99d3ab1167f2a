import { useEffect, useState, type FormEvent } from 'react';
import { type LedgerEntry, type User } from '../api';
import { DataTable } from '../components/DataTable';
import { Empty, ErrorBox, Field, KeyValues, Loading, PageHeader, Pager, Time } from '../components/ui';
import { integer } from '../format';
import { useApi, usePaged } from '../hooks';
import { Link, useQueryState } from '../router';

export function Users() {
  const [query, setQuery] = useQueryState();
  const id = query.get('id') ?? '';
  const [draft, setDraft] = useState(id);
  useEffect(() => setDraft(id), [id]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ id: draft.trim() });
  };
  return (
    <div>
      <PageHeader title="Users & ledger" />
      <form className="search" onSubmit={submit} role="search">
        <Field label="User id">{(fieldId) => <input id={fieldId} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="e.g. a1b2c3d4-e5f6-…" />}</Field>
        <button type="submit" className="primary">
          Find user
        </button>
        {id && (
          <button type="button" onClick={() => setQuery({})}>
            All users
          </button>
        )}
      </form>
      {id ? <UserDetail id={id} /> : <UserList />}
    </div>
  );
}

function UserList() {
  const users = usePaged<User>('/users?limit=50');
  if (users.loading && users.data === undefined) return <Loading what="Loading users" />;
  return (
    <>
      <ErrorBox error={users.error} onRetry={users.reload} />
      <DataTable
        caption="Users"
        data={users.items}
        rowKey={(u) => u.id}
        empty={<Empty>No user yet. Users are created by their first postback, or through the API.</Empty>}
        columns={[
          { id: 'id', header: 'User', cell: (c) => <Link to={`/users?id=${encodeURIComponent(c.row.original.id)}`}>{c.row.original.id}</Link> },
          { id: 'coins', header: 'Coins', cell: (c) => <span className="num">{integer(c.row.original.coins)}</span> },
          { id: 'app', header: 'App', cell: (c) => c.row.original.appId ?? '—' },
          { id: 'device', header: 'Device', cell: (c) => c.row.original.deviceId ?? '—' },
          { id: 'created', header: 'Created', cell: (c) => <Time iso={c.row.original.createdAt} /> },
        ]}
      />
      <Pager {...users} count={users.items.length} />
    </>
  );
}

function UserDetail({ id }: { id: string }) {
  const user = useApi<User>(`/users/${encodeURIComponent(id)}`);
  const ledger = usePaged<LedgerEntry>(user.data ? `/users/${encodeURIComponent(id)}/ledger?limit=50` : null);
  if (user.error) return <ErrorBox error={user.error.startsWith('No user') || user.error === 'Not found.' ? `No user "${id}". Check the id (it is case-sensitive).` : user.error} onRetry={user.reload} />;
  if (user.data === undefined) return <Loading what="Loading the user" />;
  const u = user.data;
  return (
    <>
      <section className="panel">
        <h2>
          {u.id} <span className="balance">{integer(u.coins)} coins</span>
        </h2>
        <KeyValues
          rows={[
            ['App', u.appId],
            ['Device', u.deviceId],
            ['Created', <Time iso={u.createdAt} />],
            ['Events', <Link to={`/events?user=${encodeURIComponent(u.id)}`}>Every event of this user</Link>],
          ]}
        />
      </section>
      <section className="panel">
        <h2>Ledger</h2>
        <p className="hint">Newest first. The balance is the sum of these entries; a reversal is a negative entry.</p>
        <ErrorBox error={ledger.error} onRetry={ledger.reload} />
        {ledger.loading && ledger.data === undefined ? (
          <Loading what="Loading the ledger" />
        ) : (
          <DataTable
            caption={`Ledger of ${u.id}`}
            data={ledger.items}
            rowKey={(e) => e.id}
            empty={<Empty>No entry: this user has not been credited yet.</Empty>}
            columns={[
              { id: 'at', header: 'When', cell: (c) => <Time iso={c.row.original.createdAt} /> },
              { id: 'delta', header: 'Coins', cell: (c) => <span className={`num ${c.row.original.delta < 0 ? 'bad-text' : 'good-text'}`}>{c.row.original.delta > 0 ? '+' : ''}{integer(c.row.original.delta)}</span> },
              { id: 'kind', header: 'Kind', cell: (c) => c.row.original.kind },
              { id: 'cause', header: 'Cause', cell: (c) => (c.row.original.eventId ? <Link to={`/events/${c.row.original.eventId}`}>the event</Link> : 'no event') },
            ]}
          />
        )}
        <Pager {...ledger} count={ledger.items.length} />
      </section>
    </>
  );
}
