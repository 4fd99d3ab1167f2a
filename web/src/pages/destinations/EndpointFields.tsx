import { Field } from '../../components/ui';
import type { DestinationDraft, UpdateDraft } from './destination-draft';

/** Name, method, URL template, and for POST the body template; extra headers. */
export function EndpointFields({ draft, update }: { draft: DestinationDraft; update: UpdateDraft }) {
  return (
    <>
      <div className="grid-2">
        <Field label="Name">{(id) => <input id={id} value={draft.name} onChange={(e) => update({ name: e.target.value })} required maxLength={200} />}</Field>
        <Field label="Method">
          {(id) => (
            <select id={id} value={draft.method} onChange={(e) => update({ method: e.target.value as 'GET' | 'POST' })}>
              <option>GET</option>
              <option>POST</option>
            </select>
          )}
        </Field>
      </div>
      <Field label="URL template" hint="Macros: {user_id} {click_id} {event} {transaction_id} {payout} {currency} {offer_id} {timestamp} {level} {coins} {is_loyaltyboost} {delivery_id} {partner} {partner_click_id} {hub_click_id} {payload.key}">
        {(id, d) => <input id={id} aria-describedby={d} className="mono" type="url" value={draft.url} onChange={(e) => update({ url: e.target.value })} required placeholder="https://partner.example/postback?uid={user_id}&payout={payout}" />}
      </Field>
      {draft.method === 'POST' && (
        <Field label="Body template (JSON)">{(id) => <textarea id={id} className="mono" rows={4} value={draft.body} onChange={(e) => update({ body: e.target.value })} placeholder='{"user":"{user_id}","payout":"{payout}"}' />}</Field>
      )}
      <Field label="Extra headers (JSON)">{(id) => <textarea id={id} className="mono" rows={2} value={draft.headers} onChange={(e) => update({ headers: e.target.value })} placeholder='{"X-Partner": "hub"}' />}</Field>
    </>
  );
}
