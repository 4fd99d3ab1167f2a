import { Field } from '../../components/ui';
import type { DestinationDraft, UpdateDraft } from './destination-draft';

/** When an attempt counts as delivered, and how long it may take. */
export function SuccessFields({ draft, update }: { draft: DestinationDraft; update: UpdateDraft }) {
  const { success } = draft;
  return (
    <div className="grid-3">
      <Field label="Success when">
        {(id) => (
          <select
            id={id}
            value={success.kind}
            onChange={(e) => update({ success: e.target.value === 'status' ? { kind: 'status', status: 200 } : e.target.value === 'body' ? { kind: 'body', equals: 'OK' } : { kind: '2xx' } })}
          >
            <option value="2xx">any 2xx status</option>
            <option value="status">one status</option>
            <option value="body">the body equals</option>
          </select>
        )}
      </Field>
      {success.kind === 'status' && (
        <Field label="Status">{(id) => <input id={id} type="number" min={100} max={599} value={success.status} onChange={(e) => update({ success: { kind: 'status', status: Number(e.target.value) } })} />}</Field>
      )}
      {success.kind === 'body' && <Field label="Body">{(id) => <input id={id} value={success.equals} onChange={(e) => update({ success: { kind: 'body', equals: e.target.value } })} />}</Field>}
      <Field label="Timeout (s)">{(id) => <input id={id} type="number" min={0.1} max={60} step="any" value={draft.timeout} onChange={(e) => update({ timeout: e.target.value })} />}</Field>
    </div>
  );
}
