import { Field } from '../../components/ui';
import type { DestinationDraft, UpdateDraft } from './destination-draft';

/** Which events the destination wants: lists of types, sources, offers, partners and completed goals. */
export function MatchFields({ draft, update }: { draft: DestinationDraft; update: UpdateDraft }) {
  return (
    <fieldset>
      <legend>Which events (empty: all)</legend>
      <div className="grid-2 top">
        <Field label="Event types" hint="comma-separated">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.eventTypes} onChange={(e) => update({ eventTypes: e.target.value })} placeholder="registration, deposit" />}
        </Field>
        <Field label="Sources" hint="comma-separated slugs">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.sources} onChange={(e) => update({ sources: e.target.value })} />}
        </Field>
        <Field label="Offers" hint="comma-separated ids">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.offers} onChange={(e) => update({ offers: e.target.value })} />}
        </Field>
        <Field label="Partners" hint="comma-separated, as on tracking links: events attributed to their traffic">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.partners} onChange={(e) => update({ partners: e.target.value })} placeholder="gamezop" />}
        </Field>
        <Field label="Goals" hint="comma-separated goal ids, as on the Goals page: their completions">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.goals} onChange={(e) => update({ goals: e.target.value })} placeholder="mainquest-3" />}
        </Field>
      </div>
    </fieldset>
  );
}
