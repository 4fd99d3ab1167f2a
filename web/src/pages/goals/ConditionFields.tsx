import { useId, type ReactNode } from 'react';
import { Field } from '../../components/ui';
import { MAX_DATA_VALUES, type ConditionDraft } from './goal-draft';

/** The error shown at a place of the form (`config.conditions.0.levelAtLeast`), or null. */
export type ErrorAt = (place: string) => string | null;

/**
 * One condition: what an event must be to meet it (every field filled in must hold; an empty one
 * matches anything), with up to five data values. `base` is its path in the API's errors.
 */
export function ConditionFields({
  legend,
  condition,
  onChange,
  base,
  errorAt,
  children,
}: {
  legend: string;
  condition: ConditionDraft;
  onChange: (condition: ConditionDraft) => void;
  base: string;
  errorAt: ErrorAt;
  /** Buttons beside "Add data value" (a group's "Remove condition"). */
  children?: ReactNode;
}) {
  const errorId = useId();
  const update = (patch: Partial<ConditionDraft>) => onChange({ ...condition, ...patch });
  const setData = (i: number, at: 0 | 1, value: string) => update({ data: condition.data.map((row, j) => (j === i ? (at === 0 ? [value, row[1]] : [row[0], value]) : row)) });
  const error = errorAt(base);
  const dataError = errorAt(`${base}.data`);
  const text = (key: 'eventType' | 'offer' | 'source', label: string, hint: string, placeholder: string, maxLength: number) => (
    <Field label={label} hint={hint} error={errorAt(`${base}.${key}`)}>
      {(id, d) => <input id={id} aria-describedby={d} className="mono" value={condition[key]} onChange={(e) => update({ [key]: e.target.value })} placeholder={placeholder} maxLength={maxLength} />}
    </Field>
  );
  return (
    <fieldset className={`condition${error ? ' invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      <div className="condition-grid">
        {text('eventType', 'Event type', 'Empty: any type', 'e.g. mainquest_complete', 64)}
        {text('offer', 'Offer', 'Empty: any offer or game', 'any', 128)}
        {text('source', 'Source', 'platform, reward-levels or a slug', 'any', 128)}
        <Field label="Level at least" hint="Empty: any level" error={errorAt(`${base}.levelAtLeast`)}>
          {(id, d) => <input id={id} aria-describedby={d} className="mono" type="number" min={1} step={1} value={condition.levelAtLeast} onChange={(e) => update({ levelAtLeast: e.target.value })} placeholder="any" />}
        </Field>
      </div>
      <div className={`condition-data${dataError ? ' invalid' : ''}`}>
        <p className="hint">Data the event must hold (a platform event’s data, a source’s kept fields), e.g. questId = q7</p>
        <div className="kv-editor">
          {condition.data.map(([key, value], i) => (
            <div key={i} className="kv-row">
              <input aria-label={`Data key ${i + 1}`} aria-invalid={dataError !== null} className="mono" value={key} onChange={(e) => setData(i, 0, e.target.value)} placeholder="key, e.g. questId" maxLength={64} />
              <input aria-label={`Data value ${i + 1}`} className="mono" value={value} onChange={(e) => setData(i, 1, e.target.value)} placeholder="value, e.g. q7" maxLength={200} />
              <button type="button" className="small" aria-label={`Remove data value ${i + 1}`} onClick={() => update({ data: condition.data.filter((_, j) => j !== i) })}>
                Remove
              </button>
            </div>
          ))}
        </div>
        {dataError && <p className="field-error">{dataError}</p>}
      </div>
      <div className="row-actions">
        <button type="button" className="small" onClick={() => update({ data: [...condition.data, ['', '']] })} disabled={condition.data.length >= MAX_DATA_VALUES}>
          Add data value
        </button>
        <span className="spacer" />
        {children}
      </div>
    </fieldset>
  );
}
