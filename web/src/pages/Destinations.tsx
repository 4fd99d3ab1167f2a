import { useState, type FormEvent } from 'react';
import { api, type Destination, type DestinationConfig, type DestinationTestResult, type Replayed } from '../api';
import { Badge, Code, Dialog, Empty, ErrorBox, Field, KeyValues, Loading, PageHeader, Pager, SecretOnce, Time } from '../components/ui';
import { pretty } from '../format';
import { useAction, usePaged } from '../hooks';
import { Link } from '../router';

const list = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

export function Destinations() {
  const destinations = usePaged<Destination>('/destinations?limit=50');
  const [editing, setEditing] = useState<Destination | 'new' | null>(null);
  const [tested, setTested] = useState<{ destination: Destination; result: DestinationTestResult } | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  const act = async (destination: Destination, what: 'pause' | 'resume' | 'test' | 'replay') => {
    setMessage(null);
    if (what === 'test') {
      const result = await action.run(() => api<DestinationTestResult>(`/destinations/${destination.id}/test`, { method: 'POST' }));
      if (result) setTested({ destination, result });
      return;
    }
    if (what === 'replay') {
      if (!window.confirm(`Replay every failed delivery of ${destination.name}?`)) return;
      const done = await action.run(() => api<Replayed>('/deliveries/replay', { body: { destination: destination.id, state: 'failed' } }));
      if (done) setMessage(`${done.replayed} failed deliver${done.replayed === 1 ? 'y' : 'ies'} of ${destination.name} queued again.`);
      return;
    }
    const done = await action.run(() => api<Destination>(`/destinations/${destination.id}/${what}`, { method: 'POST' }));
    if (done) {
      setMessage(what === 'pause' ? `${destination.name} is paused: its deliveries wait.` : `${destination.name} is resumed: its waiting deliveries go out.`);
      destinations.reload();
    }
  };

  return (
    <div>
      <PageHeader title="Destinations">
        <Link to="/history" className="button">
          Postback history
        </Link>
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          New destination
        </button>
      </PageHeader>
      <p className="lead">Partner endpoints the hub sends postbacks to: what they want, how they are signed, how failures are retried.</p>
      {message && (
        <p className="state info" role="status">
          {message}
        </p>
      )}
      <ErrorBox error={action.error ?? destinations.error} onRetry={destinations.reload} />
      {destinations.loading && destinations.data === undefined ? (
        <Loading what="Loading destinations" />
      ) : destinations.items.length === 0 ? (
        <Empty>No destination yet. <strong>New destination</strong> adds a partner URL with macros such as {'{user_id}'} and {'{payout}'}.</Empty>
      ) : (
        <ul className="destination-list" aria-label="Destinations">
          {destinations.items.map((d) => (
            <li key={d.id} className="panel destination">
              <header>
                <h2>{d.name}</h2>
                <div className="badges">
                  <Badge value={d.enabled ? 'enabled' : 'disabled'} />
                  {d.paused && <Badge value="paused" label={`paused: ${d.paused.reason ?? 'by hand'}`} />}
                  {d.consecutiveFailures > 0 && <Badge value="failed" label={`${d.consecutiveFailures} failures in a row`} />}
                </div>
              </header>
              <p className="mono url-line">
                {d.config.method} {d.config.url}
              </p>
              <KeyValues
                rows={[
                  ['Wants', describeMatch(d.config)],
                  ['Retries', describeRetry(d.config)],
                  ['Success', d.config.success.kind === '2xx' ? 'any 2xx' : d.config.success.kind === 'status' ? `HTTP ${d.config.success.status}` : `body “${d.config.success.equals}”`],
                  ['Signing', d.config.signing ? (d.config.signing.kind === 'standard-webhooks' ? 'Standard Webhooks' : `HMAC ${d.config.signing.algorithm} in ${d.config.signing.header}`) : 'none'],
                  ['Paused since', d.paused ? <Time iso={d.paused.at} /> : null],
                ]}
              />
              <div className="row-actions">
                <button type="button" className="small" onClick={() => void act(d, 'test')} disabled={action.busy}>
                  Test endpoint
                </button>
                {d.paused ? (
                  <button type="button" className="small" onClick={() => void act(d, 'resume')} disabled={action.busy}>
                    Resume
                  </button>
                ) : (
                  <button type="button" className="small" onClick={() => void act(d, 'pause')} disabled={action.busy}>
                    Pause
                  </button>
                )}
                <button type="button" className="small" onClick={() => void act(d, 'replay')} disabled={action.busy}>
                  Replay failed
                </button>
                <Link className="button small" to={`/history?destination=${encodeURIComponent(d.id)}`}>
                  History
                </Link>
                <button type="button" className="small" onClick={() => setEditing(d)}>
                  Edit
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pager {...destinations} count={destinations.items.length} />
      {editing !== null && (
        <DestinationForm
          destination={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            destinations.reload();
            if (saved.signingSecret) setSecret(saved.signingSecret);
          }}
        />
      )}
      {tested && (
        <Dialog title={`Test of ${tested.destination.name}`} open onClose={() => setTested(null)} wide>
          <TestOutcome result={tested.result} />
        </Dialog>
      )}
      {secret && <SecretOnce label="Signing secret" secret={secret} onDone={() => setSecret(null)} />}
    </div>
  );
}

function describeMatch(config: DestinationConfig): string {
  const parts = [
    config.match.eventTypes ? `types ${config.match.eventTypes.join(', ')}` : null,
    config.match.sources ? `from ${config.match.sources.join(', ')}` : null,
    config.match.offers ? `offers ${config.match.offers.join(', ')}` : null,
    config.match.partners ? `partners ${config.match.partners.join(', ')}` : null,
  ].filter(Boolean);
  return parts.length === 0 ? 'every accepted event' : parts.join('; ');
}

function describeRetry(config: DestinationConfig): string {
  const r = config.retry;
  if (r.kind === 'linear') return `${r.resends} resends, the n-th after n × ${r.intervalMs / 1000} s`;
  if (r.kind === 'schedule') return `after ${r.delaysMs.map((d) => `${d / 1000} s`).join(', ')}`;
  return `exponential from ${r.baseMs / 1000} s up to ${r.capMs / 1000} s, ${r.maxAttempts} attempts`;
}

function TestOutcome({ result }: { result: DestinationTestResult }) {
  return (
    <div className="test-result" aria-live="polite">
      <div className={`outcome-box ${result.success ? 'accepted' : 'rejected'}`}>
        <p>
          <Badge value={result.success ? 'succeeded' : 'failed'} /> {result.status === null ? 'no answer' : `HTTP ${result.status}`} in {result.latencyMs} ms
        </p>
        {result.error && <p className="reason-detail">{result.error}</p>}
      </div>
      {result.request && (
        <>
          <h3>Sample request</h3>
          <Code>{`${result.request.method} ${result.request.url}\n${Object.entries(result.request.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join('\n')}${result.request.body ? `\n\n${pretty(result.request.body)}` : ''}`}</Code>
        </>
      )}
      <h3>The partner answered</h3>
      <Code>{result.excerpt ?? '(nothing)'}</Code>
      <p className="hint">A test sends a sample event now and records nothing.</p>
    </div>
  );
}

type RetryKind = DestinationConfig['retry']['kind'];

function DestinationForm({ destination, onClose, onSaved }: { destination: Destination | null; onClose: () => void; onSaved: (d: Destination) => void }) {
  const c = destination?.config;
  const [name, setName] = useState(destination?.name ?? '');
  const [url, setUrl] = useState(c?.url ?? '');
  const [method, setMethod] = useState<'GET' | 'POST'>(c?.method ?? 'GET');
  const [body, setBody] = useState(c?.body ?? '');
  const [headers, setHeaders] = useState(c?.headers ? JSON.stringify(c.headers, null, 2) : '');
  const [eventTypes, setEventTypes] = useState(c?.match.eventTypes?.join(', ') ?? '');
  const [sources, setSources] = useState(c?.match.sources?.join(', ') ?? '');
  const [offers, setOffers] = useState(c?.match.offers?.join(', ') ?? '');
  const [partners, setPartners] = useState(c?.match.partners?.join(', ') ?? '');
  const [retryKind, setRetryKind] = useState<RetryKind>(c?.retry.kind ?? 'exponential');
  const [linear, setLinear] = useState(c?.retry.kind === 'linear' ? { interval: String(c.retry.intervalMs / 1000), resends: String(c.retry.resends) } : { interval: '60', resends: '5' });
  const [schedule, setSchedule] = useState(c?.retry.kind === 'schedule' ? c.retry.delaysMs.map((d) => d / 1000).join(', ') : '0, 60, 90, 120, 150');
  const [exponential, setExponential] = useState(c?.retry.kind === 'exponential' ? { base: String(c.retry.baseMs / 1000), cap: String(c.retry.capMs / 1000), attempts: String(c.retry.maxAttempts) } : { base: '10', cap: '3600', attempts: '10' });
  const [success, setSuccess] = useState(c?.success ?? { kind: '2xx' as const });
  const [timeout, setTimeoutSeconds] = useState(String((c?.timeoutMs ?? 10_000) / 1000));
  const [signing, setSigning] = useState<'none' | 'standard-webhooks' | 'hmac-header'>(c?.signing?.kind ?? 'none');
  const [hmac, setHmac] = useState(c?.signing?.kind === 'hmac-header' ? { header: c.signing.header, algorithm: c.signing.algorithm } : { header: 'X-Signature', algorithm: 'sha256' as const });
  const [bearer, setBearer] = useState('');
  const [removeBearer, setRemoveBearer] = useState(false);
  const [enabled, setEnabled] = useState(destination?.enabled ?? true);
  const [rotate, setRotate] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const action = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    let parsedHeaders: Record<string, string> | undefined;
    if (headers.trim() !== '') {
      try {
        parsedHeaders = JSON.parse(headers) as Record<string, string>;
      } catch {
        setFormError('Headers must be a JSON object such as {"X-Partner": "hub"}.');
        return;
      }
    }
    const seconds = (text: string) => Math.round(Number(text) * 1000);
    const retry: DestinationConfig['retry'] =
      retryKind === 'linear'
        ? { kind: 'linear', intervalMs: seconds(linear.interval), resends: Number(linear.resends) }
        : retryKind === 'schedule'
          ? { kind: 'schedule', delaysMs: list(schedule).map(seconds) }
          : { kind: 'exponential', baseMs: seconds(exponential.base), capMs: seconds(exponential.cap), maxAttempts: Number(exponential.attempts), jitter: true };
    const match = {
      ...(list(eventTypes).length ? { eventTypes: list(eventTypes) } : {}),
      ...(list(sources).length ? { sources: list(sources) } : {}),
      ...(list(offers).length ? { offers: list(offers) } : {}),
      ...(list(partners).length ? { partners: list(partners) } : {}),
    };
    const config: Partial<DestinationConfig> & { url: string } = {
      url: url.trim(),
      method,
      ...(method === 'POST' && body.trim() !== '' ? { body } : {}),
      ...(parsedHeaders ? { headers: parsedHeaders } : {}),
      match,
      retry,
      success,
      timeoutMs: seconds(timeout),
      ...(signing === 'none' ? {} : { signing: signing === 'standard-webhooks' ? { kind: 'standard-webhooks' } : { kind: 'hmac-header', header: hmac.header, algorithm: hmac.algorithm } }),
    };
    const payload = {
      name: name.trim(),
      config,
      enabled,
      ...(bearer !== '' ? { bearerToken: bearer } : destination !== null && removeBearer ? { bearerToken: null } : {}),
      ...(destination !== null && rotate ? { rotateSigningSecret: true } : {}),
    };
    const saved = await action.run(() => (destination === null ? api<Destination>('/destinations', { body: payload }) : api<Destination>(`/destinations/${destination.id}`, { method: 'PATCH', body: payload })));
    if (saved) onSaved(saved);
  };

  return (
    <Dialog title={destination === null ? 'New destination' : `Edit ${destination.name}`} open onClose={onClose} wide>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <div className="grid-2">
          <Field label="Name">{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />}</Field>
          <Field label="Method">
            {(id) => (
              <select id={id} value={method} onChange={(e) => setMethod(e.target.value as 'GET' | 'POST')}>
                <option>GET</option>
                <option>POST</option>
              </select>
            )}
          </Field>
        </div>
        <Field label="URL template" hint="Macros: {user_id} {click_id} {event} {transaction_id} {payout} {currency} {offer_id} {timestamp} {level} {coins} {is_loyaltyboost} {delivery_id} {partner} {partner_click_id} {hub_click_id} {payload.key}">
          {(id, d) => <input id={id} aria-describedby={d} className="mono" type="url" value={url} onChange={(e) => setUrl(e.target.value)} required placeholder="https://partner.example/postback?uid={user_id}&payout={payout}" />}
        </Field>
        {method === 'POST' && (
          <Field label="Body template (JSON)">{(id) => <textarea id={id} className="mono" rows={4} value={body} onChange={(e) => setBody(e.target.value)} placeholder='{"user":"{user_id}","payout":"{payout}"}' />}</Field>
        )}
        <Field label="Extra headers (JSON)">{(id) => <textarea id={id} className="mono" rows={2} value={headers} onChange={(e) => setHeaders(e.target.value)} placeholder='{"X-Partner": "hub"}' />}</Field>
        <fieldset>
          <legend>Which events (empty: all)</legend>
          <div className="grid-2 top">
            <Field label="Event types" hint="comma-separated">{(id, d) => <input id={id} aria-describedby={d} value={eventTypes} onChange={(e) => setEventTypes(e.target.value)} placeholder="registration, deposit" />}</Field>
            <Field label="Sources" hint="comma-separated slugs">{(id, d) => <input id={id} aria-describedby={d} value={sources} onChange={(e) => setSources(e.target.value)} />}</Field>
            <Field label="Offers" hint="comma-separated ids">{(id, d) => <input id={id} aria-describedby={d} value={offers} onChange={(e) => setOffers(e.target.value)} />}</Field>
            <Field label="Partners" hint="comma-separated, as on tracking links: events attributed to their traffic">
              {(id, d) => <input id={id} aria-describedby={d} value={partners} onChange={(e) => setPartners(e.target.value)} placeholder="gamezop" />}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Retries</legend>
          <div className="grid-3">
            <Field label="Policy">
              {(id) => (
                <select id={id} value={retryKind} onChange={(e) => setRetryKind(e.target.value as RetryKind)}>
                  <option value="exponential">Exponential with jitter</option>
                  <option value="linear">Linear (GG3's n × interval)</option>
                  <option value="schedule">Schedule (MomentScience's fixed delays)</option>
                </select>
              )}
            </Field>
            {retryKind === 'linear' && (
              <>
                <Field label="Interval (s)">{(id) => <input id={id} type="number" min={1} value={linear.interval} onChange={(e) => setLinear({ ...linear, interval: e.target.value })} />}</Field>
                <Field label="Resends">{(id) => <input id={id} type="number" min={0} max={100} value={linear.resends} onChange={(e) => setLinear({ ...linear, resends: e.target.value })} />}</Field>
              </>
            )}
            {retryKind === 'schedule' && (
              <Field label="Delays before each attempt (s)" hint="comma-separated; the first is the initial attempt">
                {(id, d) => <input id={id} aria-describedby={d} value={schedule} onChange={(e) => setSchedule(e.target.value)} />}
              </Field>
            )}
            {retryKind === 'exponential' && (
              <>
                <Field label="First retry after (s)">{(id) => <input id={id} type="number" min={0.1} step="any" value={exponential.base} onChange={(e) => setExponential({ ...exponential, base: e.target.value })} />}</Field>
                <Field label="At most (s)">{(id) => <input id={id} type="number" min={0.1} step="any" value={exponential.cap} onChange={(e) => setExponential({ ...exponential, cap: e.target.value })} />}</Field>
                <Field label="Attempts">{(id) => <input id={id} type="number" min={1} max={100} value={exponential.attempts} onChange={(e) => setExponential({ ...exponential, attempts: e.target.value })} />}</Field>
              </>
            )}
          </div>
        </fieldset>
        <div className="grid-3">
          <Field label="Success when">
            {(id) => (
              <select
                id={id}
                value={success.kind}
                onChange={(e) => setSuccess(e.target.value === 'status' ? { kind: 'status', status: 200 } : e.target.value === 'body' ? { kind: 'body', equals: 'OK' } : { kind: '2xx' })}
              >
                <option value="2xx">any 2xx status</option>
                <option value="status">one status</option>
                <option value="body">the body equals</option>
              </select>
            )}
          </Field>
          {success.kind === 'status' && <Field label="Status">{(id) => <input id={id} type="number" min={100} max={599} value={success.status} onChange={(e) => setSuccess({ kind: 'status', status: Number(e.target.value) })} />}</Field>}
          {success.kind === 'body' && <Field label="Body">{(id) => <input id={id} value={success.equals} onChange={(e) => setSuccess({ kind: 'body', equals: e.target.value })} />}</Field>}
          <Field label="Timeout (s)">{(id) => <input id={id} type="number" min={0.1} max={60} step="any" value={timeout} onChange={(e) => setTimeoutSeconds(e.target.value)} />}</Field>
        </div>
        <fieldset>
          <legend>Authentication and signing</legend>
          <div className="grid-3">
            <Field label="Signing">
              {(id) => (
                <select id={id} value={signing} onChange={(e) => setSigning(e.target.value as typeof signing)}>
                  <option value="none">none</option>
                  <option value="standard-webhooks">Standard Webhooks (whsec_ secret)</option>
                  <option value="hmac-header">HMAC of the body in a header</option>
                </select>
              )}
            </Field>
            {signing === 'hmac-header' && (
              <>
                <Field label="Header">{(id) => <input id={id} value={hmac.header} onChange={(e) => setHmac({ ...hmac, header: e.target.value })} />}</Field>
                <Field label="Algorithm">
                  {(id) => (
                    <select id={id} value={hmac.algorithm} onChange={(e) => setHmac({ ...hmac, algorithm: e.target.value as 'sha256' })}>
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
            {(id, d) => <input id={id} aria-describedby={d} type="password" autoComplete="off" value={bearer} onChange={(e) => setBearer(e.target.value)} />}
          </Field>
          {destination?.hasBearerToken && (
            <label className="checkbox">
              <input type="checkbox" checked={removeBearer} onChange={(e) => setRemoveBearer(e.target.checked)} /> Remove the Bearer token
            </label>
          )}
          {destination?.hasSigningSecret && (
            <label className="checkbox">
              <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} /> Rotate the signing secret (the old one keeps signing for 24 h)
            </label>
          )}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <ErrorBox error={formError ?? action.error} />
        <div className="actions">
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? 'Saving…' : destination === null ? 'Create destination' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
