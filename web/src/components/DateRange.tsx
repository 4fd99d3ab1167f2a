import { useId } from 'react';
import { fromLocalInput, toLocalInput } from '../format';

export interface Range {
  /** datetime-local values, local time; empty for open ends. */
  from: string;
  to: string;
}

function startOfDay(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

/** MomentScience's postback history shortcuts: today, last 7 days, this month (and everything). */
export const SHORTCUTS: Array<{ label: string; range: () => Range }> = [
  { label: 'Today', range: () => ({ from: toLocalInput(startOfDay(new Date())), to: '' }) },
  { label: 'Last 7 days', range: () => ({ from: toLocalInput(new Date(startOfDay(new Date()).getTime() - 6 * 86_400_000)), to: '' }) },
  {
    label: 'This month',
    range: () => {
      const now = new Date();
      return { from: toLocalInput(new Date(now.getFullYear(), now.getMonth(), 1)), to: '' };
    },
  },
  { label: 'All time', range: () => ({ from: '', to: '' }) },
];

/** The API's from/to (ISO) of a range. */
export function rangeQuery(range: Range): { from?: string; to?: string } {
  const from = fromLocalInput(range.from);
  const to = fromLocalInput(range.to);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function DateRange({ value, onChange }: { value: Range; onChange: (range: Range) => void }) {
  const id = useId();
  return (
    <fieldset className="date-range">
      <legend>Date range</legend>
      <div className="range-inputs">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="datetime-local" value={value.from} onChange={(e) => onChange({ ...value, from: e.target.value })} />
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="datetime-local" value={value.to} onChange={(e) => onChange({ ...value, to: e.target.value })} />
      </div>
      <div className="shortcuts" role="group" aria-label="Date range shortcuts">
        {SHORTCUTS.map((s) => (
          <button key={s.label} type="button" className="small" onClick={() => onChange(s.range())}>
            {s.label}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
