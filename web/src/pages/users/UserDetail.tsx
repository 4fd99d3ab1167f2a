import { useState } from 'react';
import type { Balance, User } from '../../api';
import { ErrorBox, KeyValues, Loading, Notice, Time } from '../../components/ui';
import { integer } from '../../format';
import { useApi } from '../../hooks';
import { Link } from '../../router';
import { useCan } from '../../session';
import { ManualAdjustment } from './ManualAdjustment';
import { RewardTrace } from './RewardTrace';
import { UserGoals } from './UserGoals';
import { UserLedger } from './UserLedger';

/** One user: the balance with what each partner carries, "where is my reward?", goals, the ledger, adjustments by hand. */
export function UserDetail({ id }: { id: string }) {
  const path = `/users/${encodeURIComponent(id)}`;
  // Bumped by an adjustment: the balance, the trace and the ledger are read again.
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const canAdjust = useCan('balances:adjust');
  const user = useApi<User>(path);
  const balance = useApi<Balance>(user.data ? `${path}/balance` : null, version);
  if (user.error) return <ErrorBox error={user.error.startsWith('No user') || user.error === 'Not found.' ? `No user "${id}". Check the id (it is case-sensitive).` : user.error} onRetry={user.reload} />;
  if (user.data === undefined) return <Loading what="Loading the user" />;
  const u = user.data;
  const coins = balance.data?.coins ?? u.coins;
  return (
    <>
      <section className="panel" aria-labelledby="user-title">
        <header className="panel-header">
          <h2 id="user-title" className="user-id">
            {u.id}
          </h2>
          {canAdjust && (
            <ManualAdjustment
              userId={u.id}
              coins={coins}
              onAdjusted={(text) => {
                setMessage(text);
                setVersion((v) => v + 1);
              }}
            />
          )}
        </header>
        <Notice>{message}</Notice>
        <div className="balance-line">
          <p className="balance" aria-label="Balance">
            <span className="num">{integer(coins)}</span> coins
          </p>
          <Carried balance={balance.data} />
        </div>
        <ErrorBox error={balance.error} onRetry={balance.reload} />
        <KeyValues
          rows={[
            ['App', u.appId],
            ['Device', u.deviceId],
            ['Created', <Time iso={u.createdAt} />],
            ['Balance changed', <Time iso={balance.data?.updatedAt ?? u.updatedAt} />],
            ['Events', <Link to={`/events?user=${encodeURIComponent(u.id)}`}>Every event of this user</Link>],
          ]}
        />
      </section>
      <UserGoals userId={u.id} version={version} />
      <RewardTrace userId={u.id} version={version} />
      <UserLedger userId={u.id} version={version} />
    </>
  );
}

/** The fraction of a coin each partner has left over, credited once it adds up to a whole coin. */
function Carried({ balance }: { balance: Balance | undefined }) {
  if (balance === undefined) return null;
  if (balance.carried.length === 0) return <p className="muted carried-none">No fraction of a coin carried.</p>;
  return (
    <div className="carried">
      <h3 id="carried-title">Carried toward the next coin</h3>
      <ul aria-labelledby="carried-title">
        {balance.carried.map((c) => (
          <li key={c.source}>
            <span className="num">{c.fraction}</span> coin from <strong>{c.partner}</strong>
            {c.partner !== c.source && <span className="mono muted"> ({c.source})</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
