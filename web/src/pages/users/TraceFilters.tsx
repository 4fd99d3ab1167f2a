import { Field } from '../../components/ui';
import { useFilterDraft } from '../../hooks';

const EMPTY = { offer: '', transaction: '', source: '' };

export type TraceFilter = typeof EMPTY;

/** The filters in force, from the query string. */
export function traceFilterOf(query: URLSearchParams): TraceFilter {
  return { offer: query.get('offer') ?? '', transaction: query.get('transaction') ?? '', source: query.get('source') ?? '' };
}

/** Narrows the trace to one offer (game), one transaction or one partner: edited as a draft, applied on submit. */
export function TraceFilters({ applied, apply }: { applied: TraceFilter; apply: (next: TraceFilter) => void }) {
  const { draft, setDraft, submit } = useFilterDraft(applied, apply, (draft) => ({ offer: draft.offer.trim(), transaction: draft.transaction.trim(), source: draft.source.trim() }));
  const filtered = applied.offer !== '' || applied.transaction !== '' || applied.source !== '';
  return (
    <form className="filter-fields trace-filters" onSubmit={submit} aria-label="Filter the trace">
      <Field label="Offer">{(id) => <input id={id} value={draft.offer} onChange={(e) => setDraft({ ...draft, offer: e.target.value })} placeholder="any offer or game" maxLength={200} />}</Field>
      <Field label="Transaction">
        {(id) => <input id={id} value={draft.transaction} onChange={(e) => setDraft({ ...draft, transaction: e.target.value })} placeholder="the partner’s transaction id" maxLength={200} />}
      </Field>
      <Field label="Source">{(id) => <input id={id} value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} placeholder="any partner" maxLength={200} />}</Field>
      <div className="filter-buttons">
        <button type="submit" className="primary">
          Trace
        </button>
        {filtered && (
          <button type="button" onClick={() => apply(EMPTY)}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
