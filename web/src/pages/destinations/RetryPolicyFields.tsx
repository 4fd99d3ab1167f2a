import { Field } from '../../components/ui';
import type { DestinationDraft, RetryKind, UpdateDraft } from './destination-draft';

/** The retry policy and the numbers each policy takes. */
export function RetryPolicyFields({ draft, update }: { draft: DestinationDraft; update: UpdateDraft }) {
  const { linear, exponential } = draft;
  return (
    <fieldset>
      <legend>Retries</legend>
      <div className="grid-3">
        <Field label="Policy">
          {(id) => (
            <select id={id} value={draft.retryKind} onChange={(e) => update({ retryKind: e.target.value as RetryKind })}>
              <option value="exponential">Exponential with jitter</option>
              <option value="linear">Linear (GG3's n × interval)</option>
              <option value="schedule">Schedule (MomentScience's fixed delays)</option>
            </select>
          )}
        </Field>
        {draft.retryKind === 'linear' && (
          <>
            <Field label="Interval (s)">{(id) => <input id={id} type="number" min={1} value={linear.interval} onChange={(e) => update({ linear: { ...linear, interval: e.target.value } })} />}</Field>
            <Field label="Resends">{(id) => <input id={id} type="number" min={0} max={100} value={linear.resends} onChange={(e) => update({ linear: { ...linear, resends: e.target.value } })} />}</Field>
          </>
        )}
        {draft.retryKind === 'schedule' && (
          <Field label="Delays before each attempt (s)" hint="comma-separated; the first is the initial attempt">
            {(id, d) => <input id={id} aria-describedby={d} value={draft.schedule} onChange={(e) => update({ schedule: e.target.value })} />}
          </Field>
        )}
        {draft.retryKind === 'exponential' && (
          <>
            <Field label="First retry after (s)">
              {(id) => <input id={id} type="number" min={0.1} step="any" value={exponential.base} onChange={(e) => update({ exponential: { ...exponential, base: e.target.value } })} />}
            </Field>
            <Field label="At most (s)">
              {(id) => <input id={id} type="number" min={0.1} step="any" value={exponential.cap} onChange={(e) => update({ exponential: { ...exponential, cap: e.target.value } })} />}
            </Field>
            <Field label="Attempts">
              {(id) => <input id={id} type="number" min={1} max={100} value={exponential.attempts} onChange={(e) => update({ exponential: { ...exponential, attempts: e.target.value } })} />}
            </Field>
          </>
        )}
      </div>
    </fieldset>
  );
}
