import { Field } from '../../components/ui';
import type { ErrorAt } from './ConditionFields';
import { WINDOW_UNITS, type GoalDraft, type UpdateGoalDraft, type WindowUnit } from './goal-draft';

/** How long progress may take (optional), and the coins a completion credits (optional). */
export function WindowBonusFields({ draft, update, errorAt }: { draft: GoalDraft; update: UpdateGoalDraft; errorAt: ErrorAt }) {
  const group = draft.kind === 'all';
  return (
    <div className="grid-2 top">
      <Field
        label="Window"
        hint={group ? 'Optional: all within this long of the first condition met; when it ends, progress starts again' : 'Optional: counted within this long of the first event; when it ends, the count starts again'}
        error={errorAt('config.windowSeconds')}
      >
        {(id, d) => (
          <div className="with-unit">
            <input id={id} aria-describedby={d} type="number" min={1} step={1} value={draft.window} onChange={(e) => update({ window: e.target.value })} placeholder="none" />
            <select aria-label="Window unit" value={draft.windowUnit} onChange={(e) => update({ windowUnit: e.target.value as WindowUnit })}>
              {Object.entries(WINDOW_UNITS).map(([unit, { label }]) => (
                <option key={unit} value={unit}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        )}
      </Field>
      <Field
        label="Bonus coins"
        hint={group || !draft.repeat ? 'Optional: credited to the user once, when the goal completes' : 'Optional: credited to the user at each completion'}
        error={errorAt('config.bonusCoins')}
      >
        {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} max={1_000_000_000} step={1} value={draft.bonusCoins} onChange={(e) => update({ bonusCoins: e.target.value })} placeholder="none" />}
      </Field>
    </div>
  );
}
