import { ConditionFields, type ErrorAt } from './ConditionFields';
import { EMPTY_CONDITION, MAX_CONDITIONS, type GoalDraft, type UpdateGoalDraft } from './goal-draft';

/** A group's conditions, up to ten: the goal completes once every one of them is met, in any order. */
export function GroupFields({ draft, update, errorAt, editing }: { draft: GoalDraft; update: UpdateGoalDraft; errorAt: ErrorAt; editing: boolean }) {
  const { conditions } = draft;
  const error = errorAt('config.conditions');
  return (
    <fieldset className={error ? 'invalid' : undefined}>
      <legend>Conditions: all of them, in any order</legend>
      <p className="hint">
        Each is met by one event that matches it; the goal completes, once, when the last is met.
        {editing && ' Progress is kept by position: a condition changed or removed hands what was met to the one now in its place. To start everyone again, create a new goal.'}
      </p>
      {error && <p className="field-error">{error}</p>}
      <div className="condition-list">
        {conditions.map((condition, i) => (
          <ConditionFields
            key={i}
            legend={`Condition ${i + 1}`}
            condition={condition}
            onChange={(next) => update({ conditions: conditions.map((c, j) => (j === i ? next : c)) })}
            base={`config.conditions.${i}`}
            errorAt={errorAt}
          >
            <button type="button" className="small" onClick={() => update({ conditions: conditions.filter((_, j) => j !== i) })} disabled={conditions.length <= 1} aria-label={`Remove condition ${i + 1}`}>
              Remove condition
            </button>
          </ConditionFields>
        ))}
      </div>
      <div className="row-actions">
        <button type="button" onClick={() => update({ conditions: [...conditions, EMPTY_CONDITION] })} disabled={conditions.length >= MAX_CONDITIONS}>
          Add condition
        </button>
        <span className="hint">
          {conditions.length} of at most {MAX_CONDITIONS}
        </span>
      </div>
    </fieldset>
  );
}
