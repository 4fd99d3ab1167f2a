import type { StoreApp } from '../../api';
import { Field } from '../../components/ui';
import type { LinkDraft } from './link-draft';

const MACROS = '{click_id} {sub} {user_id} {partner} {partner_click_id} {offer_id} {link_id}, or any query parameter of the click by name';

/** Where a link's clicks go: a URL template, or a Play Store listing with an install referrer. */
export function LinkTargetFields({ draft, update, apps }: { draft: LinkDraft; update: (patch: Partial<LinkDraft>) => void; apps: StoreApp[] }) {
  return (
    <fieldset>
      <legend>Where clicks go</legend>
      <div className="radio-row">
        <label className="checkbox">
          <input type="radio" name="link-mode" value="target" checked={draft.mode === 'target'} onChange={() => update({ mode: 'target' })} /> URL template
        </label>
        <label className="checkbox">
          <input type="radio" name="link-mode" value="playStore" checked={draft.mode === 'playStore'} onChange={() => update({ mode: 'playStore' })} /> Play Store listing (install referrer)
        </label>
      </div>
      {draft.mode === 'target' ? (
        <Field label="Target URL template" hint={`Macros: ${MACROS}. Values are URL-encoded.`}>
          {(fid, d) => (
            <input
              id={fid}
              aria-describedby={d}
              className="mono"
              value={draft.target}
              onChange={(e) => update({ target: e.target.value })}
              required
              maxLength={2000}
              placeholder="https://games.example/quest?click_id={click_id}&uid={sub}"
            />
          )}
        </Field>
      ) : (
        <div className="grid-2 top">
          <Field label="Package" hint="The game’s application id">
            {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={draft.pkg} onChange={(e) => update({ pkg: e.target.value })} required maxLength={200} pattern="[A-Za-z0-9_.]+" placeholder="com.example.game" />}
          </Field>
          <Field label="Store app pid" hint="Sent as pid in the referrer, with uid (the click’s ?sub=) and gid (the offer)">
            {(fid, d) => (
              <>
                <input id={fid} aria-describedby={d} list={`${fid}-list`} value={draft.pid} onChange={(e) => update({ pid: e.target.value })} required maxLength={200} />
                <datalist id={`${fid}-list`}>
                  {apps.map((a) => (
                    <option key={a.pid} value={a.pid}>
                      {a.name ?? a.pid}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
      )}
      <Field label="Partner click id parameter" hint="Optional: the click’s query parameter with the partner’s own click id, sent back in its postback (default click_id)">
        {(fid, d) => <input id={fid} aria-describedby={d} className="mono" value={draft.param} onChange={(e) => update({ param: e.target.value })} maxLength={64} placeholder="click_id" />}
      </Field>
    </fieldset>
  );
}
