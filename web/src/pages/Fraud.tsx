import { useState, type FormEvent, type ReactNode } from 'react';
import { api, type FraudAction, type FraudPolicy } from '../api';
import { ErrorBox, Field, KeyValues, Loading, Notice, PageHeader } from '../components/ui';
import { integer } from '../format';
import { useAction, useApi } from '../hooks';
import { Link } from '../router';
import { useCan } from '../session';

/** The form's values: numbers as typed, turned into numbers when saved. */
interface Draft {
  attributionWindowDays: string;
  unknownClick: FraudAction;
  fastConversion: { action: FraudAction; seconds: string };
  clicksPerIp: { action: FraudAction; max: string; windowMinutes: string };
  perUserPerDay: { action: FraudAction; max: string };
  perOfferPerDay: { action: FraudAction; max: string };
  perUserPerOffer: { action: FraudAction; max: string };
  repeatOfferCredit: FraudAction;
}

function toDraft(p: FraudPolicy): Draft {
  return {
    attributionWindowDays: String(p.attributionWindowDays),
    unknownClick: p.unknownClick,
    fastConversion: { action: p.fastConversion.action, seconds: String(p.fastConversion.seconds) },
    clicksPerIp: { action: p.clicksPerIp.action, max: String(p.clicksPerIp.max), windowMinutes: String(p.clicksPerIp.windowMinutes) },
    perUserPerDay: { action: p.perUserPerDay.action, max: String(p.perUserPerDay.max) },
    perOfferPerDay: { action: p.perOfferPerDay.action, max: String(p.perOfferPerDay.max) },
    perUserPerOffer: { action: p.perUserPerOffer.action, max: String(p.perUserPerOffer.max) },
    repeatOfferCredit: p.repeatOfferCredit,
  };
}

function fromDraft(d: Draft): FraudPolicy {
  const n = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  return {
    attributionWindowDays: n(d.attributionWindowDays),
    unknownClick: d.unknownClick,
    fastConversion: { action: d.fastConversion.action, seconds: n(d.fastConversion.seconds) },
    clicksPerIp: { action: d.clicksPerIp.action, max: n(d.clicksPerIp.max), windowMinutes: n(d.clicksPerIp.windowMinutes) },
    perUserPerDay: { action: d.perUserPerDay.action, max: n(d.perUserPerDay.max) },
    perOfferPerDay: { action: d.perOfferPerDay.action, max: n(d.perOfferPerDay.max) },
    perUserPerOffer: { action: d.perUserPerOffer.action, max: n(d.perUserPerOffer.max) },
    repeatOfferCredit: d.repeatOfferCredit,
  };
}

const ACTION_WORDS: Record<FraudAction, string> = { off: 'off', flag: 'flag', hold: 'hold for review' };

/** A check in force, in words: "hold for review when …", or "off". */
function when(action: FraudAction, condition: string): string {
  return action === 'off' ? 'off' : `${ACTION_WORDS[action]} when ${condition}`;
}

/**
 * The attribution window and the fraud checks (`/admin/api/fraud-policy`). Each check is off,
 * flag (recorded on the event, which is credited anyway) or hold (not credited nor sent to
 * partners until approved in the Events explorer). Saved as a whole with PUT.
 */
export function Fraud() {
  const loaded = useApi<FraudPolicy>('/fraud-policy');
  const [saved, setSaved] = useState<{ policy: FraudPolicy; at: Date } | null>(null);
  const policy = saved?.policy ?? loaded.data;
  return (
    <div>
      <PageHeader title="Fraud policy">
        <Link to="/events?review=held" className="button small">
          Events held for review
        </Link>
        <Link to="/reports" className="button small">
          Reports
        </Link>
      </PageHeader>
      <p className="lead">
        How long a click can earn a conversion, and the checks every conversion goes through. <strong>Flag</strong> records the finding on the event, which is credited anyway;{' '}
        <strong>hold</strong> records it and keeps the event uncredited and unsent to partners until you approve it in the Events explorer. Changes apply to events received from then on.
      </p>
      <ErrorBox error={loaded.error} onRetry={loaded.reload} />
      {policy === undefined ? (
        loaded.loading && <Loading what="Loading the fraud policy" />
      ) : (
        <div className="fraud-layout">
          <PolicyForm
            // A fresh form with the values the hub answered after each save.
            key={JSON.stringify(policy)}
            policy={policy}
            onSaved={(p) => setSaved({ policy: p, at: new Date() })}
          />
          <section className="panel in-force" aria-labelledby="in-force-title">
            <h2 id="in-force-title">In force</h2>
            {saved && <Notice>Saved at {saved.at.toLocaleTimeString()}. These are the values the hub keeps.</Notice>}
            <KeyValues
              rows={[
                ['Attribution window', `${integer(policy.attributionWindowDays)} day${policy.attributionWindowDays === 1 ? '' : 's'} after the click`],
                ['Unknown or expired click', when(policy.unknownClick, 'the click id was never issued or is older than the window')],
                ['Fast conversion', when(policy.fastConversion.action, `converted less than ${integer(policy.fastConversion.seconds)} s after the click`)],
                ['Clicks per IP', when(policy.clicksPerIp.action, `more than ${integer(policy.clicksPerIp.max)} clicks from the address in ${integer(policy.clicksPerIp.windowMinutes)} min`)],
                ['Per user per day', when(policy.perUserPerDay.action, `more than ${integer(policy.perUserPerDay.max)} conversions by a user in a UTC day`)],
                ['Per offer per day', when(policy.perOfferPerDay.action, `more than ${integer(policy.perOfferPerDay.max)} conversions of an offer in a UTC day`)],
                ['Per user per offer', when(policy.perUserPerOffer.action, `more than ${integer(policy.perUserPerOffer.max)} conversions by a user of an offer`)],
                ['Repeat offer credit', when(policy.repeatOfferCredit, 'a user is credited by the same offer a second time')],
              ]}
            />
          </section>
        </div>
      )}
    </div>
  );
}

function ActionSelect({ value, onChange }: { value: FraudAction; onChange: (action: FraudAction) => void }) {
  return (
    <Field label="Action">
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as FraudAction)}>
          <option value="off">off</option>
          <option value="flag">flag (credit it, note the finding)</option>
          <option value="hold">hold for review</option>
        </select>
      )}
    </Field>
  );
}

function NumberField({ label, value, onChange, min, max }: { label: string; value: string; onChange: (value: string) => void; min: number; max: number }) {
  return (
    <Field label={label}>
      {(id) => <input id={id} type="number" inputMode="numeric" required min={min} max={max} step={1} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

function Check({ title, hint, children }: { title: string; hint: string; children: ReactNode }) {
  return (
    <fieldset className="check">
      <legend>{title}</legend>
      <p className="hint">{hint}</p>
      <div className="check-fields">{children}</div>
    </fieldset>
  );
}

function PolicyForm({ policy, onSaved }: { policy: FraudPolicy; onSaved: (policy: FraudPolicy) => void }) {
  const [draft, setDraft] = useState(() => toDraft(policy));
  const action = useAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const changed = JSON.stringify(draft) !== JSON.stringify(toDraft(policy));
  const canWrite = useCan('config:write');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await action.run(() => api<FraudPolicy>('/fraud-policy', { method: 'PUT', body: fromDraft(draft) }));
    if (result) onSaved(result);
  };
  return (
    <form className="panel form" onSubmit={(e) => void submit(e)} aria-labelledby="policy-title">
      <h2 id="policy-title">Checks</h2>
      {/* Read-only for a role that may not change the configuration: the values, not the controls. */}
      <fieldset className="bare" disabled={!canWrite}>
        <div className="check-grid">
          <Check title="Attribution window" hint="How long after a click a conversion is attributed to it (and to its partner).">
            <NumberField label="Days" value={draft.attributionWindowDays} onChange={(v) => set('attributionWindowDays', v)} min={1} max={365} />
          </Check>
          <Check title="Unknown or expired click" hint="The conversion carries a click id the hub never issued, or one older than the window.">
            <ActionSelect value={draft.unknownClick} onChange={(a) => set('unknownClick', a)} />
          </Check>
          <Check title="Fast conversion" hint="Converted sooner after the click than a person could.">
            <ActionSelect value={draft.fastConversion.action} onChange={(a) => set('fastConversion', { ...draft.fastConversion, action: a })} />
            <NumberField label="Minimum seconds" value={draft.fastConversion.seconds} onChange={(v) => set('fastConversion', { ...draft.fastConversion, seconds: v })} min={1} max={86_400} />
          </Check>
          <Check title="Clicks per IP" hint="Too many clicks from the attributed click’s IP address within the window before it.">
            <ActionSelect value={draft.clicksPerIp.action} onChange={(a) => set('clicksPerIp', { ...draft.clicksPerIp, action: a })} />
            <NumberField label="Most clicks" value={draft.clicksPerIp.max} onChange={(v) => set('clicksPerIp', { ...draft.clicksPerIp, max: v })} min={1} max={1_000_000} />
            <NumberField label="Within minutes" value={draft.clicksPerIp.windowMinutes} onChange={(v) => set('clicksPerIp', { ...draft.clicksPerIp, windowMinutes: v })} min={1} max={10_080} />
          </Check>
          <Check title="Per user per day" hint="Conversions by one user in a UTC day.">
            <ActionSelect value={draft.perUserPerDay.action} onChange={(a) => set('perUserPerDay', { ...draft.perUserPerDay, action: a })} />
            <NumberField label="Most conversions" value={draft.perUserPerDay.max} onChange={(v) => set('perUserPerDay', { ...draft.perUserPerDay, max: v })} min={1} max={1_000_000} />
          </Check>
          <Check title="Per offer per day" hint="Conversions of one offer in a UTC day.">
            <ActionSelect value={draft.perOfferPerDay.action} onChange={(a) => set('perOfferPerDay', { ...draft.perOfferPerDay, action: a })} />
            <NumberField label="Most conversions" value={draft.perOfferPerDay.max} onChange={(v) => set('perOfferPerDay', { ...draft.perOfferPerDay, max: v })} min={1} max={1_000_000} />
          </Check>
          <Check title="Per user per offer" hint="Conversions by one user of one offer, ever.">
            <ActionSelect value={draft.perUserPerOffer.action} onChange={(a) => set('perUserPerOffer', { ...draft.perUserPerOffer, action: a })} />
            <NumberField label="Most conversions" value={draft.perUserPerOffer.max} onChange={(v) => set('perUserPerOffer', { ...draft.perUserPerOffer, max: v })} min={1} max={1_000_000} />
          </Check>
          <Check title="Repeat offer credit" hint="A user credited by the same offer a second time (for one-time offers).">
            <ActionSelect value={draft.repeatOfferCredit} onChange={(a) => set('repeatOfferCredit', a)} />
          </Check>
        </div>
      </fieldset>
      <ErrorBox error={action.error} />
      {canWrite ? (
        <div className="actions">
          <span className="spacer" />
          <button type="button" onClick={() => setDraft(toDraft(policy))} disabled={!changed || action.busy}>
            Undo changes
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      ) : (
        <p className="hint">Your role can read the policy, not change it: an admin or an owner can.</p>
      )}
    </form>
  );
}
