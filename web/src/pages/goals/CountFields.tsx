import { Field } from '../../components/ui';
import { ConditionFields, type ErrorAt } from './ConditionFields';
import type { GoalDraft, UpdateGoalDraft } from './goal-draft';

/** A count: the events that count, how many complete the goal, and whether it completes again at every further count. */
export function CountFields({ draft, update, errorAt }: { draft: GoalDraft; update: UpdateGoalDraft; errorAt: ErrorAt }) {
  const per = draft.count.trim() === '' ? 'count' : draft.count;
  return (
    <>
      <ConditionFields legend="Events that count" condition={draft.condition} onChange={(condition) => update({ condition })} base="config.condition" errorAt={errorAt} />
      <div className="grid-2 top count-row">
        <Field label="Count" hint="Completes at this many matching events" error={errorAt('config.count')}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} max={1_000_000} step={1} required value={draft.count} onChange={(e) => update({ count: e.target.value })} placeholder="e.g. 50" />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={draft.repeat} onChange={(e) => update({ repeat: e.target.checked })} /> Repeat: complete again at every further {per}
        </label>
      </div>
    </>
  );
}
