import { useCan } from '../../session';
import { useState, type FormEvent } from 'react';
import { api, type AlertRules } from '../../api';
import { ErrorBox, Field, Loading, Notice } from '../../components/ui';
import { useAction, useApi } from '../../hooks';
import { RULES, type RuleName } from './rule-words';

/** Each rule's thresholds: the field, its label and bounds (as the API checks them). */
const THRESHOLDS: Record<RuleName, Array<{ key: string; label: string; min: number; max: number }>> = {
  destination_failing: [{ key: 'failures', label: 'Failures in a row', min: 1, max: 10_000 }],
  destination_paused: [],
  delivery_backlog: [{ key: 'minutes', label: 'Waited minutes', min: 1, max: 10_080 }],
  source_rejections: [
    { key: 'percent', label: 'Rejected above %', min: 1, max: 100 },
    { key: 'windowMinutes', label: 'In the last minutes', min: 1, max: 1440 },
    { key: 'minRequests', label: 'With at least requests', min: 1, max: 1_000_000 },
  ],
  held_events: [{ key: 'minutes', label: 'Waiting minutes', min: 1, max: 10_080 }],
  store_unavailable: [],
};

/** The form's values: numbers as typed, turned into numbers when saved. */
type Draft = Record<string, string | boolean>;

const path = (rule: string, key: string) => `${rule}.${key}`;

function toDraft(rules: AlertRules): Draft {
  const draft: Draft = { repeatMinutes: String(rules.repeatMinutes) };
  for (const { name } of RULES) {
    const rule = rules[name] as Record<string, number | boolean>;
    draft[path(name, 'enabled')] = rule.enabled as boolean;
    for (const t of THRESHOLDS[name]) draft[path(name, t.key)] = String(rule[t.key]);
  }
  return draft;
}

function fromDraft(draft: Draft): AlertRules {
  const n = (text: string | boolean) => (typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN);
  const rules: Record<string, unknown> = { repeatMinutes: n(draft.repeatMinutes ?? '') };
  for (const { name } of RULES) {
    rules[name] = { enabled: draft[path(name, 'enabled')] === true, ...Object.fromEntries(THRESHOLDS[name].map((t) => [t.key, n(draft[path(name, t.key)] ?? '')])) };
  }
  return rules as AlertRules;
}

function RulesForm({ rules, onSaved }: { rules: AlertRules; onSaved: (rules: AlertRules) => void }) {
  const [draft, setDraft] = useState(() => toDraft(rules));
  const action = useAction();
  const set = (key: string, value: string | boolean) => setDraft((d) => ({ ...d, [key]: value }));
  const changed = JSON.stringify(draft) !== JSON.stringify(toDraft(rules));
  const canWrite = useCan('config:write');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await action.run(() => api<AlertRules>('/alerts/rules', { method: 'PUT', body: fromDraft(draft) }));
    if (saved) onSaved(saved);
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Alert rules">
      {/* Read-only for a role that may not change the configuration: the values, not the controls. */}
      <fieldset className="bare" disabled={!canWrite}>
      <div className="check-grid alert-rules">
        {RULES.map(({ name, title, hint }) => (
          <fieldset key={name} className="check">
            <legend>{title}</legend>
            <p className="hint">{hint}</p>
            <label className="checkbox">
              <input type="checkbox" checked={draft[path(name, 'enabled')] === true} onChange={(e) => set(path(name, 'enabled'), e.target.checked)} /> Watch this
            </label>
            {THRESHOLDS[name].length > 0 && (
              <div className="check-fields">
                {THRESHOLDS[name].map((t) => (
                  <Field key={t.key} label={t.label}>
                    {(id) => <input id={id} type="number" inputMode="numeric" required min={t.min} max={t.max} step={1} value={String(draft[path(name, t.key)] ?? '')} onChange={(e) => set(path(name, t.key), e.target.value)} />}
                  </Field>
                ))}
              </div>
            )}
          </fieldset>
        ))}
        <fieldset className="check">
          <legend>Repeat</legend>
          <p className="hint">A firing alert repeats its notice at most this often.</p>
          <div className="check-fields">
            <Field label="Every minutes">
              {(id) => <input id={id} type="number" inputMode="numeric" required min={1} max={10_080} step={1} value={String(draft.repeatMinutes)} onChange={(e) => set('repeatMinutes', e.target.value)} />}
            </Field>
          </div>
        </fieldset>
      </div>
      </fieldset>
      <ErrorBox error={action.error} />
      {canWrite && (
        <div className="actions">
          <span className="spacer" />
          <button type="button" onClick={() => setDraft(toDraft(rules))} disabled={!changed || action.busy}>
            Undo changes
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Saving…' : 'Save rules'}
          </button>
        </div>
      )}
    </form>
  );
}

/** The rules: each on or off, with its thresholds; saved as a whole. */
export function AlertRulesForm() {
  const loaded = useApi<AlertRules>('/alerts/rules');
  const [saved, setSaved] = useState<{ rules: AlertRules; at: Date } | null>(null);
  const rules = saved?.rules ?? loaded.data;
  return (
    <section className="panel" aria-labelledby="rules-title">
      <h2 id="rules-title">Rules</h2>
      {saved && <Notice>Saved at {saved.at.toLocaleTimeString()}. The next check uses them.</Notice>}
      <ErrorBox error={loaded.error} onRetry={loaded.reload} />
      {rules === undefined ? loaded.loading && <Loading what="Loading the rules" /> : <RulesForm key={JSON.stringify(rules)} rules={rules} onSaved={(r) => setSaved({ rules: r, at: new Date() })} />}
    </section>
  );
}
