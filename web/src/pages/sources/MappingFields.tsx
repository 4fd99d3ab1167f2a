import { Field } from '../../components/ui';
import { HUB_FIELDS } from './definition';
import type { FieldError } from './source-overrides';

/** Where each hub field comes from in the partner's postback, one path (or alternatives) per field. */
export function MappingFields({ fields, onChange, error }: { fields: Record<string, string>; onChange: (fields: Record<string, string>) => void; error: FieldError | null }) {
  return (
    <fieldset>
      <legend>Mapping: where each field comes from</legend>
      <p className="hint">Query, form or JSON names; nested paths with dots (payload.user_id); alternatives separated by commas, the first present wins.</p>
      <div className="grid-3">
        {HUB_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} hint={f.hint} error={error?.field === `fields.${f.key}` ? error.message : null}>
            {(id, d) => <input id={id} aria-describedby={d} className="mono" value={fields[f.key] ?? ''} onChange={(e) => onChange({ ...fields, [f.key]: e.target.value })} placeholder="not mapped" />}
          </Field>
        ))}
      </div>
    </fieldset>
  );
}
