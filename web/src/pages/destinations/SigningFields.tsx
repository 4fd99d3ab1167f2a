import type { Destination } from '../../api';
import { Field } from '../../components/ui';
import type { DestinationDraft, SigningKind, UpdateDraft } from './destination-draft';

/** How requests are signed, the Bearer token, and the secrets an existing destination can drop or rotate. */
export function SigningFields({ draft, update, destination }: { draft: DestinationDraft; update: UpdateDraft; destination: Destination | null }) {
  const { hmac } = draft;
  return (
    <fieldset className="stack">
      <legend>Authentication and signing</legend>
      <div className="grid-3">
        <Field label="Signing">
          {(id) => (
            <select id={id} value={draft.signing} onChange={(e) => update({ signing: e.target.value as SigningKind })}>
              <option value="none">none</option>
              <option value="standard-webhooks">Standard Webhooks (whsec_ secret)</option>
              <option value="hmac-header">HMAC of the body in a header</option>
            </select>
          )}
        </Field>
        {draft.signing === 'hmac-header' && (
          <>
            <Field label="Header">{(id) => <input id={id} value={hmac.header} onChange={(e) => update({ hmac: { ...hmac, header: e.target.value } })} />}</Field>
            <Field label="Algorithm">
              {(id) => (
                <select id={id} value={hmac.algorithm} onChange={(e) => update({ hmac: { ...hmac, algorithm: e.target.value as 'sha256' } })}>
                  <option>sha1</option>
                  <option>sha256</option>
                  <option>sha512</option>
                </select>
              )}
            </Field>
          </>
        )}
      </div>
      <Field label="Bearer token" hint={destination?.hasBearerToken ? 'One is set: leave empty to keep it.' : 'Optional: sent as Authorization: Bearer'}>
        {(id, d) => <input id={id} aria-describedby={d} type="password" autoComplete="off" value={draft.bearer} onChange={(e) => update({ bearer: e.target.value })} />}
      </Field>
      {destination?.hasBearerToken && (
        <label className="checkbox">
          <input type="checkbox" checked={draft.removeBearer} onChange={(e) => update({ removeBearer: e.target.checked })} /> Remove the Bearer token
        </label>
      )}
      {draft.signing !== 'none' && (
        <Field
          label="Import an existing signing secret"
          hint={
            destination?.hasSigningSecret
              ? 'Optional: a whsec_ secret your receiver already verifies replaces the current one (which keeps signing for 24 h). It is never shown again.'
              : 'Optional: a whsec_ secret your receiver already verifies; left empty, one is generated and shown once.'
          }
        >
          {(id, d) => <input id={id} aria-describedby={d} className="mono" type="password" autoComplete="off" spellCheck={false} value={draft.importSecret} onChange={(e) => update({ importSecret: e.target.value })} placeholder="whsec_…" />}
        </Field>
      )}
      {destination?.hasSigningSecret && draft.importSecret.trim() === '' && (
        <label className="checkbox">
          <input type="checkbox" checked={draft.rotate} onChange={(e) => update({ rotate: e.target.checked })} /> Rotate the signing secret (the old one keeps signing for 24 h)
        </label>
      )}
    </fieldset>
  );
}
