import { useState, type FormEvent } from 'react';
import { api, type Presets, type Source, type SourceDefinition, type SourceWithSecret } from '../../api';
import { Code, Dialog, ErrorBox, Field, FormActions } from '../../components/ui';
import { useAction, useApi } from '../../hooks';
import { authSummary, HUB_FIELDS, pathText } from './definition';
import { MappingFields } from './MappingFields';
import { overridesOf, type FieldError } from './source-overrides';

/** The "other overrides" box's text: a source's overrides other than its mapping. */
function otherOverridesText(source: Source | null): string {
  const { fields: _ignored, ...otherOverrides } = source?.overrides ?? {};
  return Object.keys(otherOverrides).length === 0 ? '' : JSON.stringify(otherOverrides, null, 2);
}

/** Creates a source from a preset, or edits one (and rotates its secret). */
export function SourceForm({ source, onClose, onSaved }: { source: Source | null; onClose: () => void; onSaved: (source: SourceWithSecret) => void }) {
  const presets = useApi<Presets>('/presets');
  const [slug, setSlug] = useState(source?.slug ?? '');
  const [name, setName] = useState(source?.name ?? '');
  const [preset, setPreset] = useState(source?.preset ?? 'generic');
  const [enabled, setEnabled] = useState(source?.enabled ?? true);
  // A new source shows its preset's mapping until a field is edited.
  const [fields, setFields] = useState<Record<string, string> | null>(source === null ? null : Object.fromEntries(HUB_FIELDS.map((f) => [f.key, pathText(source.definition.fields[f.key])])));
  const [other, setOther] = useState(() => otherOverridesText(source));
  const [fieldError, setFieldError] = useState<FieldError | null>(null);
  const action = useAction();

  const presetDefinition = presets.data?.[preset];
  const shownFields = fields ?? Object.fromEntries(HUB_FIELDS.map((f) => [f.key, pathText(presetDefinition?.fields[f.key])]));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFieldError(null);
    const made = overridesOf(other, shownFields, presetDefinition);
    if ('error' in made) {
      setFieldError(made.error);
      return;
    }
    const body = { name: name.trim() === '' ? null : name.trim(), preset, enabled, overrides: made.overrides };
    const saved = await action.run(() =>
      source === null ? api<SourceWithSecret>('/sources', { body: { slug: slug.trim(), ...body } }) : api<SourceWithSecret>(`/sources/${encodeURIComponent(source.slug)}`, { method: 'PATCH', body }),
    );
    if (saved) onSaved(saved);
  };
  const rotate = async () => {
    if (source === null || !window.confirm(`Rotate the secret of ${source.slug}? The current secret stops working at once.`)) return;
    const saved = await action.run(() => api<SourceWithSecret>(`/sources/${encodeURIComponent(source.slug)}`, { method: 'PATCH', body: { rotateSecret: true } }));
    if (saved) onSaved(saved);
  };

  return (
    <Dialog title={source === null ? 'New source' : `Edit ${source.slug}`} open onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)} className="form">
        <div className="grid-2">
          <Field label="Slug" hint="Names the inbound URL: /postbacks/slug (lower-case letters, digits, dashes)">
            {(id, d) => <input id={id} aria-describedby={d} value={slug} onChange={(e) => setSlug(e.target.value)} required pattern="[a-z0-9][a-z0-9\-]{0,62}" disabled={source !== null} />}
          </Field>
          <Field label="Name">{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}</Field>
          <PresetField
            presets={presets.data}
            value={preset}
            onChange={(p) => {
              setPreset(p);
              if (source === null) setFields(null);
            }}
          />
          <label className="checkbox">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled (a disabled source refuses its postbacks)
          </label>
        </div>
        <MappingFields fields={shownFields} onChange={setFields} error={fieldError} />
        <OverridesField value={other} onChange={setOther} error={fieldError} presetDefinition={presetDefinition} />
        <ErrorBox error={action.error} />
        <FormActions busy={action.busy} label={source === null ? 'Create source' : 'Save'} busyLabel="Saving…" onCancel={onClose}>
          {source !== null && (
            <button type="button" onClick={() => void rotate()} disabled={action.busy}>
              Rotate secret
            </button>
          )}
        </FormActions>
      </form>
    </Dialog>
  );
}

/** The preset to start from, with its authentication and reward in words. */
function PresetField({ presets, value, onChange }: { presets: Presets | undefined; value: string; onChange: (preset: string) => void }) {
  const definition = presets?.[value];
  return (
    <Field label="Preset" hint={definition ? `Authentication: ${authSummary(definition)}; reward: ${definition.reward.kind}` : undefined}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={value} onChange={(e) => onChange(e.target.value)}>
          {Object.keys(presets ?? { generic: null }).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Any other part of the preset to replace, as JSON, and the preset's full definition to read. */
function OverridesField({ value, onChange, error, presetDefinition }: { value: string; onChange: (text: string) => void; error: FieldError | null; presetDefinition: SourceDefinition | undefined }) {
  return (
    <>
      <Field
        label="Other overrides (JSON)"
        hint="Any other part of the preset to replace: auth, reward, modifiers, reversal, answer, dedupeKey, users, usdRates, defaults. Leave empty to keep the preset’s."
        error={error?.field === 'other' ? error.message : null}
      >
        {(id, d) => <textarea id={id} aria-describedby={d} className="mono" rows={6} value={value} onChange={(e) => onChange(e.target.value)} placeholder='{"reward": {"kind": "fixed", "coins": 10}}' />}
      </Field>
      {presetDefinition && (
        <details>
          <summary>The preset’s full definition</summary>
          <Code>{JSON.stringify(presetDefinition, null, 2)}</Code>
        </details>
      )}
    </>
  );
}
