import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState, type FormEvent } from 'react';
import { api, type FieldPath, type Presets, type Source, type SourceDefinition, type SourceSample, type SourceTestResult, type SourceWithSecret } from '../api';
import { DataTable } from '../components/DataTable';
import { Badge, Code, CopyButton, CopyField, Dialog, Empty, ErrorBox, Field, KeyValues, Loading, PageHeader, Pager, SecretOnce } from '../components/ui';
import { money, pretty } from '../format';
import { useAction, useApi, usePaged } from '../hooks';
import { Link } from '../router';

export const HUB_FIELDS: Array<{ key: keyof SourceDefinition['fields']; label: string; hint: string }> = [
  { key: 'user', label: 'User', hint: 'required: whose postback it is' },
  { key: 'externalId', label: 'External id', hint: 'the partner’s unique id (de-duplicates)' },
  { key: 'offer', label: 'Offer', hint: 'offer or game id' },
  { key: 'eventType', label: 'Event type', hint: 'e.g. event_name' },
  { key: 'amount', label: 'Amount', hint: 'revenue / payout, decimal' },
  { key: 'currency', label: 'Currency', hint: 'ISO code' },
  { key: 'level', label: 'Level', hint: 'whole number' },
  { key: 'clickId', label: 'Click id', hint: 'attribution' },
  { key: 'status', label: 'Status', hint: 'for reversals' },
  { key: 'reward', label: 'Partner reward', hint: 'coins the partner states' },
  { key: 'timestamp', label: 'Timestamp', hint: 'unix s/ms or ISO' },
];

const pathText = (path: FieldPath | undefined) => (path === undefined ? '' : typeof path === 'string' ? path : path.join(', '));
const parsePath = (text: string): FieldPath | undefined => {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : parts;
};

type AuthRule = SourceDefinition['auth'][number];
type LeafAuthRule = Extract<AuthRule, { kind: 'any' }>['rules'][number];

function authSummary(definition: SourceDefinition): string {
  if (definition.auth.length === 0) return 'none';
  const describe = (rule: AuthRule | LeafAuthRule): string => {
    switch (rule.kind) {
      case 'bearer':
        return 'Bearer token';
      case 'secret-header':
        return `secret in header ${rule.header}`;
      case 'secret-query':
        return `secret in ?${rule.param}`;
      case 'ip-allowlist':
        return 'IP allowlist';
      case 'signature':
        return `signature (${'algorithm' in rule.scheme ? rule.scheme.algorithm : rule.scheme.kind})`;
      case 'timestamp':
        return 'timestamp';
      case 'any':
        return rule.rules.map(describe).join(' or ');
    }
  };
  return definition.auth.map(describe).join(' + ');
}

const column = createColumnHelper<Source>();

export function Sources() {
  const list = usePaged<Source>('/sources?limit=50');
  const [editing, setEditing] = useState<Source | 'new' | null>(null);
  const [testing, setTesting] = useState<Source | null>(null);
  const [secret, setSecret] = useState<{ label: string; secret: string } | null>(null);

  const columns = useMemo(
    () => [
      column.accessor('slug', {
        header: 'Source',
        cell: (c) => (
          <div>
            <strong>{c.row.original.name ?? c.getValue()}</strong>
            <div className="muted mono">{c.getValue()}</div>
          </div>
        ),
      }),
      column.accessor('preset', { header: 'Preset', cell: (c) => <span className="mono">{c.getValue()}</span> }),
      column.accessor('enabled', { header: 'State', cell: (c) => <Badge value={c.getValue() ? 'enabled' : 'disabled'} /> }),
      column.display({ id: 'auth', header: 'Authentication', cell: (c) => authSummary(c.row.original.definition) }),
      column.accessor('inboundUrl', {
        header: 'Inbound URL',
        cell: (c) => (
          <div className="url-cell">
            <code className="truncate" title={c.getValue()}>
              {c.getValue()}
            </code>
            <CopyButton text={c.getValue()} label="Copy URL" />
          </div>
        ),
      }),
      column.display({
        id: 'actions',
        header: 'Actions',
        cell: (c) => (
          <div className="row-actions">
            <button type="button" className="small" onClick={() => setTesting(c.row.original)}>
              Send test postback
            </button>
            <button type="button" className="small" onClick={() => setEditing(c.row.original)}>
              Edit
            </button>
            <Link className="small button" to={`/events?source=${encodeURIComponent(c.row.original.slug)}`}>
              Events
            </Link>
          </div>
        ),
      }),
    ],
    [],
  );

  return (
    <div>
      <PageHeader title="Sources">
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New source
        </button>
      </PageHeader>
      <p className="lead">Inbound partners: how their postbacks look, how they authenticate and what they earn. Give each partner its inbound URL.</p>
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading sources" />
      ) : (
        <DataTable
          caption="Sources"
          data={list.items}
          columns={columns}
          rowKey={(s) => s.slug}
          empty={
            <Empty>
              No source yet. <strong>New source</strong> creates one from a preset (Gamezop, GG3, MomentScience, offerwalls…) or a mapping of your own.
            </Empty>
          }
        />
      )}
      <Pager {...list} count={list.items.length} />
      {editing !== null && (
        <SourceForm
          source={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            list.reload();
            if (saved.secret) setSecret({ label: `Secret of ${saved.slug}`, secret: saved.secret });
          }}
        />
      )}
      {testing !== null && <SourceTest source={testing} onClose={() => setTesting(null)} />}
      {secret !== null && <SecretOnce label={secret.label} secret={secret.secret} onDone={() => setSecret(null)} />}
    </div>
  );
}

function SourceForm({ source, onClose, onSaved }: { source: Source | null; onClose: () => void; onSaved: (source: SourceWithSecret) => void }) {
  const presets = useApi<Presets>('/presets');
  const [slug, setSlug] = useState(source?.slug ?? '');
  const [name, setName] = useState(source?.name ?? '');
  const [preset, setPreset] = useState(source?.preset ?? 'generic');
  const [enabled, setEnabled] = useState(source?.enabled ?? true);
  const [fields, setFields] = useState<Record<string, string> | null>(
    source === null ? null : Object.fromEntries(HUB_FIELDS.map((f) => [f.key, pathText(source.definition.fields[f.key])])),
  );
  const { fields: _ignored, ...otherOverrides } = source?.overrides ?? {};
  const [other, setOther] = useState(Object.keys(otherOverrides).length === 0 ? '' : JSON.stringify(otherOverrides, null, 2));
  const [fieldError, setFieldError] = useState<{ field?: string; message: string } | null>(null);
  const action = useAction();

  const presetDefinition = presets.data?.[preset];
  const shownFields = fields ?? Object.fromEntries(HUB_FIELDS.map((f) => [f.key, pathText(presetDefinition?.fields[f.key])]));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFieldError(null);
    let overrides: Record<string, unknown> = {};
    if (other.trim() !== '') {
      try {
        overrides = JSON.parse(other) as Record<string, unknown>;
        if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) throw new Error('not an object');
      } catch {
        setFieldError({ field: 'other', message: 'Other overrides must be a JSON object, e.g. {"reward": {"kind": "fixed", "coins": 10}}.' });
        return;
      }
    }
    const mapped: Record<string, FieldPath> = {};
    for (const f of HUB_FIELDS) {
      const path = parsePath(shownFields[f.key] ?? '');
      if (path !== undefined) mapped[f.key] = path;
    }
    if (mapped.user === undefined) {
      setFieldError({ field: 'fields.user', message: 'Map the user: the field that says whose postback it is.' });
      return;
    }
    const presetFields = JSON.stringify(Object.fromEntries(HUB_FIELDS.flatMap((f) => (presetDefinition?.fields[f.key] === undefined ? [] : [[f.key, presetDefinition.fields[f.key]]]))));
    if (JSON.stringify(mapped) !== presetFields) overrides = { ...overrides, fields: mapped };
    const saved = await action.run(() =>
      source === null
        ? api<SourceWithSecret>('/sources', { body: { slug: slug.trim(), name: name.trim() === '' ? null : name.trim(), preset, enabled, overrides } })
        : api<SourceWithSecret>(`/sources/${encodeURIComponent(source.slug)}`, { method: 'PATCH', body: { name: name.trim() === '' ? null : name.trim(), preset, enabled, overrides } }),
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
          <Field label="Preset" hint={presetDefinition ? `Authentication: ${authSummary(presetDefinition)}; reward: ${presetDefinition.reward.kind}` : undefined}>
            {(id, d) => (
              <select
                id={id}
                aria-describedby={d}
                value={preset}
                onChange={(e) => {
                  setPreset(e.target.value);
                  if (source === null) setFields(null);
                }}
              >
                {Object.keys(presets.data ?? { generic: null }).map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label className="checkbox">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled (a disabled source refuses its postbacks)
          </label>
        </div>
        <fieldset>
          <legend>Mapping: where each field comes from</legend>
          <p className="hint">Query, form or JSON names; nested paths with dots (payload.user_id); alternatives separated by commas, the first present wins.</p>
          <div className="grid-3">
            {HUB_FIELDS.map((f) => (
              <Field key={f.key} label={f.label} hint={f.hint} error={fieldError?.field === `fields.${f.key}` ? fieldError.message : null}>
                {(id, d) => (
                  <input
                    id={id}
                    aria-describedby={d}
                    className="mono"
                    value={shownFields[f.key] ?? ''}
                    onChange={(e) => setFields({ ...shownFields, [f.key]: e.target.value })}
                    placeholder="not mapped"
                  />
                )}
              </Field>
            ))}
          </div>
        </fieldset>
        <Field
          label="Other overrides (JSON)"
          hint="Any other part of the preset to replace: auth, reward, modifiers, reversal, answer, dedupeKey, users, usdRates, defaults. Leave empty to keep the preset’s."
          error={fieldError?.field === 'other' ? fieldError.message : null}
        >
          {(id, d) => <textarea id={id} aria-describedby={d} className="mono" rows={6} value={other} onChange={(e) => setOther(e.target.value)} placeholder='{"reward": {"kind": "fixed", "coins": 10}}' />}
        </Field>
        {presetDefinition && (
          <details>
            <summary>The preset’s full definition</summary>
            <Code>{JSON.stringify(presetDefinition, null, 2)}</Code>
          </details>
        )}
        <ErrorBox error={action.error} />
        <div className="actions">
          {source !== null && (
            <button type="button" onClick={() => void rotate()} disabled={action.busy}>
              Rotate secret
            </button>
          )}
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Saving…' : source === null ? 'Create source' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SourceTest({ source, onClose }: { source: Source; onClose: () => void }) {
  // The hub's own sample (a value for each mapped field, fresh unique ids), to edit before sending.
  const sample = useApi<SourceSample>(`/sources/${encodeURIComponent(source.slug)}/test`);
  if (sample.data === undefined) {
    return (
      <Dialog title={`Send a test postback to ${source.slug}`} open onClose={onClose} wide>
        {sample.error === null ? <Loading what="Preparing a sample" /> : <ErrorBox error={sample.error} />}
      </Dialog>
    );
  }
  return <SourceTestForm source={source} sample={sample.data.fields} onClose={onClose} />;
}

function SourceTestForm({ source, sample, onClose }: { source: Source; sample: Record<string, string>; onClose: () => void }) {
  const [rows, setRows] = useState<Array<[string, string]>>(() => Object.entries(sample));
  const [method, setMethod] = useState<'' | 'GET' | 'POST'>('');
  const [authenticate, setAuthenticate] = useState(true);
  const [result, setResult] = useState<SourceTestResult | null>(null);
  const action = useAction();
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const fields = Object.fromEntries(rows.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v]));
    const answer = await action.run(() => api<SourceTestResult>(`/sources/${encodeURIComponent(source.slug)}/test`, { body: { fields, authenticate, ...(method === '' ? {} : { method }) } }));
    if (answer) setResult(answer);
  };
  const update = (i: number, at: 0 | 1, value: string) => setRows(rows.map((row, j) => (j === i ? ((at === 0 ? [value, row[1]] : [row[0], value])) : row)));
  return (
    <Dialog title={`Send a test postback to ${source.slug}`} open onClose={onClose} wide>
      <form onSubmit={(e) => void send(e)} className="form">
        <p className="hint">
          It goes through the source’s real intake and is recorded like any other postback: an accepted one credits its user and is delivered to the destinations that want it.
          The hub adds the credentials the source expects, signed with its secret.
        </p>
        <fieldset>
          <legend>Fields</legend>
          <div className="kv-editor">
            {rows.map(([k, v], i) => (
              <div key={i} className="kv-row">
                <input aria-label={`Field ${i + 1} name`} className="mono" value={k} onChange={(e) => update(i, 0, e.target.value)} />
                <input aria-label={`Field ${i + 1} value`} className="mono" value={v} onChange={(e) => update(i, 1, e.target.value)} />
                <button type="button" className="small" aria-label={`Remove field ${k || i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
            ))}
          </div>
          <button type="button" className="small" onClick={() => setRows([...rows, ['', '']])}>
            Add field
          </button>
        </fieldset>
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
        <div className="actions">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Sending…' : 'Send test postback'}
          </button>
        </div>
      </form>
      {result && <TestResult result={result} />}
    </Dialog>
  );
}

function TestResult({ result }: { result: SourceTestResult }) {
  const event = result.event;
  return (
    <section className="test-result" aria-live="polite" aria-label="What the hub made of it">
      <h3>What the hub made of it</h3>
      {event ? (
        <div className={`outcome-box ${event.outcome}`}>
          <p>
            <Badge value={event.outcome} /> {event.outcome === 'accepted' ? `${event.coins} coins to ${event.userId ?? 'no user'}` : event.outcome === 'duplicate' ? `duplicate of ${event.duplicateOf ?? '?'}` : <strong>{event.reason}</strong>}
          </p>
          {event.detail && <p className="reason-detail">{event.detail}</p>}
          <KeyValues
            rows={[
              ['User', event.userId],
              ['External id', event.externalId],
              ['Offer', event.offerId],
              ['Type', event.type],
              ['Amount', event.amount === null ? null : money(event.amount, event.currency)],
            ]}
          />
          <Link to={`/events/${event.id}`}>Open this event in the explorer</Link>
        </div>
      ) : (
        <p>The hub recorded no event for it.</p>
      )}
      {result.notes.length > 0 && (
        <ul className="notes">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="grid-2 top">
        <div>
          <h4>Request sent</h4>
          <Code>{`${result.request.method} ${result.request.url}\n${Object.entries(result.request.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n')}${result.request.body ? `\n\n${pretty(result.request.body)}` : ''}`}</Code>
        </div>
        <div>
          <h4>Answer: HTTP {result.answer.status}</h4>
          <Code>{pretty(result.answer.body) || '(empty body)'}</Code>
        </div>
      </div>
      <CopyField label="Event id" value={event?.id ?? ''} />
    </section>
  );
}
