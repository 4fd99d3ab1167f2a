import type { User } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Empty, ErrorBox, Loading, Pager, Time } from '../../components/ui';
import { integer } from '../../format';
import { usePaged } from '../../hooks';
import { Link } from '../../router';

/** Every user, newest first, each a link to its page. */
export function UserList() {
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
