import { useState, type FormEvent } from 'react';
import { api, type Destination, type DestinationPreset } from '../../api';
import { Dialog, ErrorBox, FormActions } from '../../components/ui';
import { useAction, useApi } from '../../hooks';
import { draftOf, draftOfPreset, payloadOf, presetUrl, type UpdateDraft } from './destination-draft';
import { PresetPicker } from './PresetPicker';
import { EndpointFields } from './EndpointFields';
import { MatchFields } from './MatchFields';
import { RetryPolicyFields } from './RetryPolicyFields';
import { SigningFields } from './SigningFields';
import { SuccessFields } from './SuccessFields';

/** Creates a destination, or edits one. */
export function DestinationForm({ destination, onClose, onSaved }: { destination: Destination | null; onClose: () => void; onSaved: (d: Destination) => void }) {
  const [draft, setDraft] = useState(() => draftOf(destination));
  const update: UpdateDraft = (patch) => setDraft((d) => ({ ...d, ...patch }));
  const [formError, setFormError] = useState<string | null>(null);
  const action = useAction();
  // Presets only start a new destination: an existing one is edited field by field.
  const presets = useApi<{ items: DestinationPreset[] }>(destination === null ? '/destination-presets' : null);
  const [preset, setPreset] = useState<DestinationPreset | null>(null);
  const [fills, setFills] = useState<Record<string, string>>({});
  const choose = (chosen: DestinationPreset | null) => {
    setPreset(chosen);
    setFills({});
    if (chosen !== null) setDraft((d) => draftOfPreset(chosen, d));
  };
  const fill = (placeholder: string, value: string) => {
    if (preset === null) return;
    const next = { ...fills, [placeholder]: value };
    setFills(next);
    update({ url: presetUrl(preset, next) });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const made = payloadOf(draft, destination);
    if ('error' in made) {
      setFormError(made.error);
      return;
    }
    const { payload } = made;
    const saved = await action.run(() => (destination === null ? api<Destination>('/destinations', { body: payload }) : api<Destination>(`/destinations/${destination.id}`, { method: 'PATCH', body: payload })));
    if (saved) onSaved(saved);
  };

  return (
    <Dialog title={destination === null ? 'New destination' : `Edit ${destination.name}`} open onClose={onClose} wide>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {destination === null && <PresetPicker presets={presets.data?.items} chosen={preset} onChoose={choose} fills={fills} onFill={fill} />}
        <ErrorBox error={presets.error} />
        <EndpointFields draft={draft} update={update} />
        <MatchFields draft={draft} update={update} />
        <RetryPolicyFields draft={draft} update={update} />
        <SuccessFields draft={draft} update={update} />
        <SigningFields draft={draft} update={update} destination={destination} />
        <label className="checkbox">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> Enabled
        </label>
        <ErrorBox error={formError ?? action.error} />
        <FormActions busy={action.busy} label={destination === null ? 'Create destination' : 'Save'} busyLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
