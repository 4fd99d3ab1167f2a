import type { ReactNode } from 'react';
import type { GoalProgress } from '../../api';
import { Badge, ErrorBox, KeyValues, Time } from '../../components/ui';
import { integer } from '../../format';
import { useApi } from '../../hooks';
import { bonusText, conditionText, repeats, timesText, windowText } from '../goals/goal-words';

/** The user's progress toward every goal: a group's conditions met or not, a count so far, completions, the window (nothing when no goal is defined). */
export function UserGoals({ userId, version }: { userId: string; version: number }) {
  const progress = useApi<{ items: GoalProgress[] }>(`/users/${encodeURIComponent(userId)}/goals`, version);
  const items = progress.data?.items ?? [];
  // A hub without goals has no panel to push "where is my reward?" down the page: none is
  // shown until the goals are known (or cannot be read).
  if (progress.error === null && items.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="goals-title">
      <header className="panel-header">
        <h2 id="goals-title">Goals</h2>
        <button type="button" className="small" onClick={progress.reload} disabled={progress.loading}>
          Refresh
        </button>
      </header>
      <p className="hint">What this user has done toward each goal. A completion is an event of its own, in the trace and, with its bonus, in the ledger below.</p>
      <ErrorBox error={progress.error} onRetry={progress.reload} />
      {items.length > 0 && (
        <ul className="goal-progress-list" aria-label="Goals of this user">
          {items.map((p) => (
            <GoalProgressItem key={p.goal.id} progress={p} />
          ))}
        </ul>
      )}
    </section>
  );
}

function GoalProgressItem({ progress: p }: { progress: GoalProgress }) {
  const { goal } = p;
  const done = p.completions > 0 && !repeats(goal);
  const started = p.updatedAt !== null;
  const titleId = `goal-${goal.id}`;
  const rows: Array<[string, ReactNode]> = [
    ['Completed', p.completions === 0 ? 'not yet' : timesText(p.completions)],
    ['Bonus', bonusText(goal.config)],
  ];
  // A goal that is done no longer has a window to watch.
  if (goal.config.windowSeconds !== undefined && !done) rows.push(['Window', <WindowEnd seconds={goal.config.windowSeconds} ends={p.windowEnds} />]);
  rows.push(['Last progress', started ? <Time iso={p.updatedAt} /> : 'none yet']);
  return (
    <li className={`goal-progress${goal.enabled ? '' : ' muted-item'}`} aria-labelledby={titleId}>
      <header className="goal-progress-head">
        <h3 id={titleId}>{goal.name}</h3>
        <div className="badges">
          {p.completions > 0 ? (
            <Badge value="completed" label={repeats(goal) ? `completed ${timesText(p.completions)}` : 'completed'} />
          ) : (
            <Badge value={started ? 'in_progress' : 'not_started'} label={started ? 'in progress' : 'not started'} />
          )}
          {!goal.enabled && <Badge value="disabled" />}
        </div>
      </header>
      {goal.config.kind === 'all' ? <Checklist progress={p} /> : <Count progress={p} />}
      <KeyValues rows={rows} />
    </li>
  );
}

/** A group's conditions, each met or not, in the goal's order. */
function Checklist({ progress: p }: { progress: GoalProgress }) {
  if (p.goal.config.kind !== 'all') return null;
  const met = p.met ?? [];
  const total = p.goal.config.conditions.length;
  const count = met.filter(Boolean).length;
  return (
    <>
      <p className="goal-summary">
        <span className="num">{count}</span> of {total} met
      </p>
      <ul className="checklist" aria-label={`Conditions of ${p.goal.name}`}>
        {p.goal.config.conditions.map((condition, i) => {
          const isMet = met[i] === true;
          return (
            <li key={i} className={isMet ? 'met' : 'unmet'}>
              <span className="check" aria-hidden="true" />
              <span className="visually-hidden">{isMet ? 'Met: ' : 'Not met: '}</span>
              {conditionText(condition)}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** A count: so far of the target (a repeating one: toward the next completion). */
function Count({ progress: p }: { progress: GoalProgress }) {
  if (p.goal.config.kind !== 'count') return null;
  const { count: target, condition } = p.goal.config;
  const repeating = repeats(p.goal);
  // Once completed, a count that does not repeat keeps counting, past its target.
  const shown = repeating ? p.count : Math.min(p.count, target);
  return (
    <>
      <p className="goal-summary">
        <span className="num">{integer(shown)}</span> of {integer(target)}
        {repeating && p.completions > 0 ? ' toward the next' : ''}
        {!repeating && p.count > target && <span className="muted"> ({integer(p.count)} counted)</span>}
      </p>
      <progress className="goal-bar" value={shown} max={target} aria-label={`${p.goal.name}: ${shown} of ${target}`} />
      <p className="hint">Counts: {conditionText(condition)}</p>
    </>
  );
}

function WindowEnd({ seconds, ends }: { seconds: number; ends: string | null }) {
  if (ends === null) return <>{windowText(seconds)} from the first matching event</>;
  if (Date.parse(ends) <= Date.now()) {
    return (
      <>
        ended <Time iso={ends} />: the next matching event starts again
      </>
    );
  }
  return (
    <>
      ends <Time iso={ends} />
    </>
  );
}
