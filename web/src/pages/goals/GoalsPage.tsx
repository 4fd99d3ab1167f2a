import { useState } from 'react';
import type { Goal } from '../../api';
import { DataTable } from '../../components/DataTable';
import { Empty, ReadOnlyNote, ErrorBox, Loading, Notice, PageHeader, Pager } from '../../components/ui';
import { usePaged } from '../../hooks';
import { Link } from '../../router';
import { useCan } from '../../session';
import { goalColumns } from './goal-columns';
import { GoalForm } from './GoalForm';
import { useGoalActions } from './use-goal-actions';

/**
 * Goals: events derived from a user's progress, all of a group of conditions (three main quests)
 * or a count (50 presses of a button); a completion is an event of its own, with its bonus and
 * its deliveries.
 */
export function GoalsPage() {
  const goals = usePaged<Goal>('/goals?limit=50');
  const [editing, setEditing] = useState<Goal | 'new' | null>(null);
  const actions = useGoalActions(goals.reload);
  const canWrite = useCan('config:write');
  const columns = goalColumns({ canWrite, busy: actions.busy, onEdit: setEditing, onToggle: (goal) => void actions.toggle(goal), onRemove: (goal) => void actions.remove(goal) });

  return (
    <div>
      <PageHeader title="Goals">
        {canWrite && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              actions.say(null);
              setEditing('new');
            }}
          >
            New goal
          </button>
        )}
      </PageHeader>
      <p className="lead">
        Progress a user makes across events: all of a group of conditions, or a count of matching events. A completed goal is an event of type <code>goal</code>, with its bonus in
        the user’s ledger; <Link to="/destinations">destinations</Link> that list its id under Goals get it. Each user’s progress is on their page under <Link to="/users">Users &amp; ledger</Link>.
      </p>
      <ReadOnlyNote scope="config:write">may read the goals, not change them</ReadOnlyNote>
      <Notice>{actions.message}</Notice>
      <ErrorBox error={actions.error ?? goals.error} onRetry={goals.reload} />
      {goals.loading && goals.data === undefined ? (
        <Loading what="Loading goals" />
      ) : (
        <DataTable
          caption="Goals"
          data={goals.items}
          columns={columns}
          rowKey={(g) => g.id}
          rowClassName={(g) => (g.enabled ? undefined : 'row-muted')}
          empty={
            <Empty>
              No goal yet. <strong>New goal</strong> makes one: all of a group of conditions (e.g. three main quests), or a count of events (e.g. 50 presses of a button).
            </Empty>
          }
        />
      )}
      <Pager {...goals} count={goals.items.length} />
      {editing !== null && (
        <GoalForm
          goal={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            actions.say(editing === 'new' ? `${saved.name} created (id ${saved.id}).` : `${saved.name} saved: it applies from the next event on.`);
            setEditing(null);
            goals.reload();
          }}
        />
      )}
    </div>
  );
}
