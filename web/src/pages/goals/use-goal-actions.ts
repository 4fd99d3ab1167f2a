import { useState } from 'react';
import { api, type Goal } from '../../api';
import { useAction } from '../../hooks';

/** Enabling, disabling and deleting goals, with what each did in words. */
export function useGoalActions(reload: () => void) {
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const toggle = async (goal: Goal) => {
    setMessage(null);
    const saved = await action.run(() => api<Goal>(`/goals/${encodeURIComponent(goal.id)}`, { method: 'PATCH', body: { enabled: !goal.enabled } }));
    if (saved) {
      setMessage(saved.enabled ? `${saved.name} is enabled: events advance it again.` : `${saved.name} is disabled: events no longer advance it; progress made so far is kept.`);
      reload();
    }
  };
  const remove = async (goal: Goal) => {
    setMessage(null);
    if (!window.confirm(`Delete the goal ${goal.name}? Every user’s progress toward it is deleted with it; the goal events already recorded (and their bonuses) stay.`)) return;
    const done = await action.run(() => api(`/goals/${encodeURIComponent(goal.id)}`, { method: 'DELETE' }).then(() => true));
    if (done) {
      setMessage(`${goal.name} deleted.`);
      reload();
    }
  };

  return { toggle, remove, busy: action.busy, error: action.error, message, say: setMessage };
}
