import type { DestinationPreset } from '../../api';
import { Field } from '../../components/ui';

/**
 * A new destination's starting point: a partner's or tracker's format, which fills the form;
 * then the values only the operator knows (the tracker's domain, its key), put into the URL.
 */
export function PresetPicker({
  presets,
  chosen,
  onChoose,
  fills,
  onFill,
}: {
  presets: DestinationPreset[] | undefined;
  chosen: DestinationPreset | null;
  onChoose: (preset: DestinationPreset | null) => void;
  fills: Record<string, string>;
  onFill: (placeholder: string, value: string) => void;
}) {
  return (
    <fieldset className="stack">
      <legend>Start from a preset</legend>
      <Field label="Preset" hint={chosen ? chosen.description : 'A partner’s or tracker’s postback format fills the form; every field stays editable.'}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={chosen?.name ?? ''} onChange={(e) => onChoose(presets?.find((p) => p.name === e.target.value) ?? null)} disabled={presets === undefined}>
            <option value="">None: start blank</option>
            {presets?.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      {chosen && chosen.fill.length > 0 && (
        <div className="grid-2">
          {chosen.fill.map((f) => (
            <Field key={f.placeholder} label={f.label} hint={`Replaces ${f.placeholder} in the URL`}>
              {(id, d) => <input id={id} aria-describedby={d} value={fills[f.placeholder] ?? ''} onChange={(e) => onFill(f.placeholder, e.target.value)} placeholder={f.example} required autoComplete="off" />}
            </Field>
          ))}
        </div>
      )}
    </fieldset>
  );
}
