import type { Page, ReviewState, Source } from '../../api';
import { DateRange, type Range } from '../../components/DateRange';
import { Field } from '../../components/ui';
import { useApi, useFilterDraft } from '../../hooks';
import { useQueryFilter } from '../../router';
import { useCan } from '../../session';

/** The review filter's choices, as the API names them. */
const REVIEW_FILTERS: Array<{ value: ReviewState; label: string }> = [
  { value: 'held', label: 'Held for review' },
  { value: 'flagged', label: 'Flagged (credited)' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected in review' },
];

const EMPTY_FILTER = { from: '', to: '', source: '', status: '', user: '', offer: '', partner: '', review: '' };

export type EventFilter = typeof EMPTY_FILTER;

/** The filters in force, from the URL. */
export function useEventFilter(): { applied: EventFilter; apply: (next: EventFilter) => void } {
  const [applied, apply] = useQueryFilter(EMPTY_FILTER);
  return { applied, apply };
}

/** The filter form: edited as a draft, applied to the URL on submit (the date range at once). */
export function EventFilters({ applied, apply }: { applied: EventFilter; apply: (next: EventFilter) => void }) {
  const { draft, setDraft, submit, applyNow } = useFilterDraft(applied, apply);
  // Suggestions only, for a role that may read the configuration.
  const sources = useApi<Page<Source>>(useCan('config:read') ? '/sources?limit=500' : null);
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter events">
      <DateRange
        value={{ from: draft.from, to: draft.to }}
        onChange={(range: Range) => applyNow({ ...draft, ...range })}
      />
      <div className="filter-fields">
        <Field label="Source">
          {(id) => (
            <>
              <input id={id} list={`${id}-list`} value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} placeholder="any" />
              <datalist id={`${id}-list`}>
                {(sources.data?.items ?? []).map((s) => (
                  <option key={s.slug} value={s.slug} />
                ))}
                <option value="reward-levels" />
                <option value="platform" />
              </datalist>
            </>
          )}
        </Field>
        <Field label="Outcome">
          {(id) => (
            <select id={id} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
              <option value="">any</option>
              <option value="accepted">accepted</option>
              <option value="duplicate">duplicate</option>
              <option value="rejected">rejected</option>
            </select>
          )}
        </Field>
        <Field label="User">{(id) => <input id={id} value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })} placeholder="user id" />}</Field>
        <Field label="Offer">{(id) => <input id={id} value={draft.offer} onChange={(e) => setDraft({ ...draft, offer: e.target.value })} placeholder="offer id" />}</Field>
        <Field label="Partner">{(id) => <input id={id} value={draft.partner} onChange={(e) => setDraft({ ...draft, partner: e.target.value })} placeholder="any" />}</Field>
        <Field label="Review">
          {(id) => (
            <select id={id} value={draft.review} onChange={(e) => setDraft({ ...draft, review: e.target.value })}>
              <option value="">any</option>
              {REVIEW_FILTERS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => apply(EMPTY_FILTER)}>
            Clear
          </button>
        </div>
      </div>
    </form>
  );
}
