import { useState, type FormEvent } from 'react';
import { api, type Source, type SourceSample, type SourceTestResult } from '../../api';
import { Dialog, ErrorBox, Field, FormActions, Loading } from '../../components/ui';
import { useAction, useApi } from '../../hooks';
import { TestResult } from './TestResult';

/** Sends a test postback through a source's real intake, starting from the hub's sample. */
export function SourceTest({ source, onClose }: { source: Source; onClose: () => void }) {
  // The hub's own sample (a value for each mapped field, fresh unique ids), to edit before sending.
  const sample = useApi<SourceSample>(`/sources/${encodeURIComponent(source.slug)}/test`);
  if (sample.data === undefined) {
    return (
      <Dialog title={`Send a test postback to ${source.slug}`} open onClose={onClose} wide>
        {sample.error === null ? <Loading what="Preparing a sample" /> : <ErrorBox error={sample.error} />}
      </Dialog>
    );
  }
  return <SourceTestForm source={source} sample={sample.data} onClose={onClose} />;
}

function SourceTestForm({ source, sample, onClose }: { source: Source; sample: SourceSample; onClose: () => void }) {
  const [rows, setRows] = useState<Array<[string, string]>>(() => Object.entries(sample.fields));
  const [method, setMethod] = useState<'' | 'GET' | 'POST'>('');
  const [authenticate, setAuthenticate] = useState(true);
  // None picked: a test reaches a partner only when the operator says so.
  const [picked, setPicked] = useState<string[]>([]);
  const [result, setResult] = useState<SourceTestResult | null>(null);
  const action = useAction();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const fields = Object.fromEntries(rows.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v]));
    const answer = await action.run(() => api<SourceTestResult>(`/sources/${encodeURIComponent(source.slug)}/test`, { body: { fields, authenticate, destinations: picked, ...(method === '' ? {} : { method }) } }));
    if (answer) setResult(answer);
  };
  return (
    <Dialog title={`Send a test postback to ${source.slug}`} open onClose={onClose} wide>
      <form onSubmit={(e) => void send(e)} className="form">
        <p className="hint">
          It goes through the source’s real intake (the hub adds the credentials the source expects, signed with its secret) and is recorded as a <strong>test</strong>: it credits
          nobody’s balance, advances no goal, and reports and stats leave it out. It is delivered only to the destinations you pick below.
        </p>
        <FieldRows rows={rows} onChange={setRows} />
        <DestinationPicks destinations={sample.destinations} picked={picked} onChange={setPicked} />
        <div className="grid-2">
          <Field label="Method">
            {(id) => (
              <select id={id} value={method} onChange={(e) => setMethod(e.target.value as '' | 'GET' | 'POST')}>
                <option value="">As the partner sends (automatic)</option>
                <option value="GET">GET (query string)</option>
                <option value="POST">POST (JSON body)</option>
              </select>
            )}
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={authenticate} onChange={(e) => setAuthenticate(e.target.checked)} /> Add the source’s credentials
          </label>
        </div>
        <ErrorBox error={action.error} />
        <FormActions busy={action.busy} label="Send test postback" busyLabel="Sending…" onCancel={onClose} cancel="Close" />
      </form>
      {result && <TestResult result={result} />}
    </Dialog>
  );
}

/** The destinations that want a postback like the sample, none checked: a test reaches only those picked. */
function DestinationPicks({ destinations, picked, onChange }: { destinations: SourceSample['destinations']; picked: string[]; onChange: (ids: string[]) => void }) {
  const toggle = (id: string, on: boolean) => onChange(on ? [...picked, id] : picked.filter((p) => p !== id));
  return (
    <fieldset className="stack">
      <legend>Deliver the test to</legend>
      {destinations.length === 0 ? (
        <p className="hint">No enabled destination takes a postback like this one: the test will be recorded and delivered nowhere.</p>
      ) : (
        <>
          <p className="hint">These destinations take a postback like this one. Nothing is sent to a partner unless you check it; its deliveries are marked test in the history.</p>
          {destinations.map((d) => (
            <label key={d.id} className="checkbox">
              <input type="checkbox" checked={picked.includes(d.id)} onChange={(e) => toggle(d.id, e.target.checked)} /> {d.name}
            </label>
          ))}
        </>
      )}
    </fieldset>
  );
}

/** The test postback's fields: name and value pairs to edit, add and remove. */
function FieldRows({ rows, onChange }: { rows: Array<[string, string]>; onChange: (rows: Array<[string, string]>) => void }) {
  const update = (i: number, at: 0 | 1, value: string) => onChange(rows.map((row, j) => (j === i ? (at === 0 ? [value, row[1]] : [row[0], value]) : row)));
  return (
    <fieldset>
      <legend>Fields</legend>
      <div className="kv-editor">
        {rows.map(([k, v], i) => (
          <div key={i} className="kv-row">
            <input aria-label={`Field ${i + 1} name`} className="mono" value={k} onChange={(e) => update(i, 0, e.target.value)} />
            <input aria-label={`Field ${i + 1} value`} className="mono" value={v} onChange={(e) => update(i, 1, e.target.value)} />
            <button type="button" className="small" aria-label={`Remove field ${k || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
      </div>
      <button type="button" className="small" onClick={() => onChange([...rows, ['', '']])}>
        Add field
      </button>
    </fieldset>
  );
}
