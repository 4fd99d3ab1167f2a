import { useState, type FormEvent } from 'react';
import { api, type Offer, type Page, type StoreApp, type TrackingLink } from '../../api';
import { Dialog, ErrorBox, Field, FormActions } from '../../components/ui';
import { useAction, useApi } from '../../hooks';
import { EMPTY_LINK, linkBody, type LinkDraft } from './link-draft';
import { LinkTargetFields } from './LinkTargetFields';

/** Creates a tracking link for one of the catalog's offers. */
export function LinkForm({ catalogVersion, onClose, onSaved }: { catalogVersion: number; onClose: () => void; onSaved: (link: TrackingLink) => void }) {
  const offers = useApi<Page<Offer>>('/offers?limit=500', catalogVersion);
  const apps = useApi<Page<StoreApp>>('/apps?limit=500', catalogVersion);
  const [draft, setDraft] = useState(EMPTY_LINK);
  const update = (patch: Partial<LinkDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const action = useAction();
  const offerList = offers.data?.items ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await action.run(() => api<TrackingLink>('/links', { body: linkBody(draft) }));
    if (saved) onSaved(saved);
  };

  return (
    <Dialog title="New tracking link" open onClose={onClose} wide>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="grid-2">
          <Field label="Offer" hint={offers.data && offerList.length === 0 ? 'No offer yet: add one under “Offers and games” first.' : 'The offer (game) its clicks and conversions count for'}>
            {(fid, d) => (
              <select id={fid} aria-describedby={d} value={draft.offerId} onChange={(e) => update({ offerId: e.target.value })} required>
                <option value="">{offers.loading && offers.data === undefined ? 'Loading offers…' : 'Choose an offer'}</option>
                {offerList.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name ? `${o.name} (${o.id})` : o.id}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Partner" hint="Optional: whose traffic it is; destinations can match on it">
            {(fid, d) => <input id={fid} aria-describedby={d} value={draft.partner} onChange={(e) => update({ partner: e.target.value })} maxLength={128} placeholder="e.g. gamezop" />}
          </Field>
          <Field label="Link id" hint="Optional: the path of the link (/c/ID); random if empty. Letters, digits, _ and -">
            {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={draft.id} onChange={(e) => update({ id: e.target.value })} maxLength={64} pattern="[A-Za-z0-9_\-]+" placeholder="random" />}
          </Field>
          <Field label="Name" hint="Optional: for you">
            {(fid, d) => <input id={fid} aria-describedby={d} value={draft.name} onChange={(e) => update({ name: e.target.value })} maxLength={200} />}
          </Field>
        </div>
        <LinkTargetFields draft={draft} update={update} apps={apps.data?.items ?? []} />
        <ErrorBox error={action.error ?? offers.error} />
        <FormActions busy={action.busy} label="Create link" busyLabel="Creating…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
