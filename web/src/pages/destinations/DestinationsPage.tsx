import { useState } from 'react';
import type { Destination } from '../../api';
import { Dialog, Empty, ReadOnlyNote, ErrorBox, Loading, Notice, PageHeader, Pager, SecretOnce } from '../../components/ui';
import { usePaged } from '../../hooks';
import { Link } from '../../router';
import { useCan } from '../../session';
import { DestinationCard } from './DestinationCard';
import { DestinationForm } from './DestinationForm';
import { TestOutcome } from './TestOutcome';
import { useDestinationActions } from './use-destination-actions';

export function DestinationsPage() {
  const destinations = usePaged<Destination>('/destinations?limit=50');
  const [editing, setEditing] = useState<Destination | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const actions = useDestinationActions(destinations.reload);
  const canWrite = useCan('config:write');
  const canReplay = useCan('deliveries:replay');

  return (
    <div>
      <PageHeader title="Destinations">
        <Link to="/history" className="button">
          Postback history
        </Link>
        {canWrite && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New destination
          </button>
        )}
      </PageHeader>
      <p className="lead">Partner endpoints the hub sends postbacks to: what they want, how they are signed, how failures are retried.</p>
      <ReadOnlyNote scope="config:write">may read the destinations and their history, not change them</ReadOnlyNote>
      <Notice>{actions.message}</Notice>
      <ErrorBox error={actions.error ?? destinations.error} onRetry={destinations.reload} />
      {destinations.loading && destinations.data === undefined ? (
        <Loading what="Loading destinations" />
      ) : destinations.items.length === 0 ? (
        <Empty>{canWrite ? <>No destination yet. <strong>New destination</strong> adds a partner URL with macros such as {'{user_id}'} and {'{payout}'}.</> : 'No destination yet.'}</Empty>
      ) : (
        <ul className="destination-list" aria-label="Destinations">
          {destinations.items.map((d) => (
            <DestinationCard key={d.id} destination={d} busy={actions.busy} canWrite={canWrite} canReplay={canReplay} onAct={(what) => void actions.act(d, what)} onEdit={() => setEditing(d)} />
          ))}
        </ul>
      )}
      <Pager {...destinations} count={destinations.items.length} />
      {editing !== null && (
        <DestinationForm
          destination={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            destinations.reload();
            if (saved.signingSecret) setSecret(saved.signingSecret);
          }}
        />
      )}
      {actions.tested && (
        <Dialog title={`Test of ${actions.tested.destination.name}`} open onClose={actions.closeTest} wide>
          <TestOutcome result={actions.tested.result} />
        </Dialog>
      )}
      {secret && <SecretOnce label="Signing secret" secret={secret} onDone={() => setSecret(null)} />}
    </div>
  );
}
