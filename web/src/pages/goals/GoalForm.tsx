import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorText, type Goal } from '../../api';
import { Dialog, ErrorBox, Field, FormActions } from '../../components/ui';
import { CountFields } from './CountFields';
import { bodyOf, draftOf, MAX_CONDITIONS, messageAt, placeOf, type GoalDraft, type Problem, type UpdateGoalDraft } from './goal-draft';
import { GroupFields } from './GroupFields';
import { WindowBonusFields } from './WindowBonusFields';

/** Creates a goal, or edits one: a group of conditions or a count, its window and its bonus. */
export function GoalForm({ goal, onClose, onSaved }: { goal: Goal | null; onClose: () => void; onSaved: (goal: Goal) => void }) {
  const [draft, setDraft] = useState(() => draftOf(goal));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const update: UpdateGoalDraft = (patch) => setDraft((d) => ({ ...d, ...patch }));

  const place = problem === null ? null : placeOf(problem.field, draft);
  const errorAt = (at: string) => (problem !== null && place === at ? messageAt(problem, at) : null);
  useEffect(() => {
    // The field the hub refused, so a keyboard user lands where the message is.
    if (problem !== null) form.current?.querySelector<HTMLElement>('.invalid input, .invalid select, [aria-invalid="true"]')?.focus();
  }, [problem]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body = bodyOf(draft, goal);
      const saved = goal === null ? await api<Goal>('/goals', { body }) : await api<Goal>(`/goals/${encodeURIComponent(goal.id)}`, { method: 'PATCH', body });
      onSaved(saved);
    } catch (e) {
      setProblem({ field: e instanceof ApiError ? (e.field ?? null) : null, message: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={goal === null ? 'New goal' : `Edit ${goal.name}`} open onClose={onClose} wide>
      <form ref={form} className="form" onSubmit={(e) => void submit(e)}>
        <div className="grid-2 top">
          <Field label="Name" hint="Shown in the ledger with the bonus: “Goal … completed”" error={errorAt('name')}>
            {(id, d) => <input id={id} aria-describedby={d} value={draft.name} onChange={(e) => update({ name: e.target.value })} required maxLength={200} placeholder="e.g. Multi MainQuest Complete" />}
          </Field>
          <Field label="Goal id" hint={goal === null ? 'Optional: what destinations match it by; random if empty. Letters, digits, _ . : -' : 'Destinations match the goal by it'} error={errorAt('id')}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                className="mono"
                value={draft.id}
                onChange={(e) => update({ id: e.target.value })}
                disabled={goal !== null}
                maxLength={128}
                pattern="[A-Za-z0-9_.:\-]+"
                placeholder="random"
              />
            )}
          </Field>
        </div>
        <KindField draft={draft} update={update} />
        {draft.kind === 'all' ? <GroupFields draft={draft} update={update} errorAt={errorAt} editing={goal !== null} /> : <CountFields draft={draft} update={update} errorAt={errorAt} />}
        <WindowBonusFields draft={draft} update={update} errorAt={errorAt} />
        <label className="checkbox">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> Enabled (a disabled goal is not advanced by events)
        </label>
        <ErrorBox error={problem !== null && place === null ? problem.message : null} />
        <FormActions busy={busy} label={goal === null ? 'Create goal' : 'Save'} busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function KindField({ draft, update }: { draft: GoalDraft; update: UpdateGoalDraft }) {
  return (
    <fieldset>
      <legend>Kind</legend>
      <div className="radio-row">
        <label className="checkbox">
          <input type="radio" name="goal-kind" value="all" checked={draft.kind === 'all'} onChange={() => update({ kind: 'all' })} /> Group: all of up to {MAX_CONDITIONS} conditions (e.g. three main quests)
        </label>
        <label className="checkbox">
          <input type="radio" name="goal-kind" value="count" checked={draft.kind === 'count'} onChange={() => update({ kind: 'count' })} /> Count: a number of matching events (e.g. 50 presses of a button)
        </label>
      </div>
    </fieldset>
  );
}
