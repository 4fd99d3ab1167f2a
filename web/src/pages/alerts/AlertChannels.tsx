import { useCan } from '../../session';
import { useState, type FormEvent } from 'react';
import { api, type AlertChannel, type AlertChannelTest } from '../../api';
import { Badge, Dialog, Empty, ErrorBox, Field, FormActions, Loading, Notice, SecretOnce } from '../../components/ui';
import { useAction, usePaged } from '../../hooks';

type Kind = AlertChannel['kind'];

/** Recipients as typed: one per line or separated by commas. */
const recipients = (text: string) => text.split(/[\s,;]+/).filter((r) => r !== '');

function ChannelForm({ onCreated, onCancel }: { onCreated: (channel: AlertChannel) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [to, setTo] = useState('');
  const action = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = kind === 'webhook' ? { kind, name: name.trim(), url: url.trim() } : { kind, name: name.trim(), to: recipients(to) };
    const created = await action.run(() => api<AlertChannel>('/alerts/channels', { method: 'POST', body }));
    if (created) onCreated(created);
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)}>
      <div className="radio-row" role="radiogroup" aria-label="Kind">
        <label className="checkbox">
          <input type="radio" name="channel-kind" checked={kind === 'webhook'} onChange={() => setKind('webhook')} /> Webhook (Slack or any JSON endpoint)
        </label>
        <label className="checkbox">
          <input type="radio" name="channel-kind" checked={kind === 'email'} onChange={() => setKind('email')} /> Email
        </label>
      </div>
      <Field label="Name">{(id) => <input id={id} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === 'webhook' ? 'e.g. #ops in Slack' : 'e.g. on call'} />}</Field>
      {kind === 'webhook' ? (
        <Field label="URL" hint="A Slack incoming webhook, or any endpoint that takes the JSON body. Each notice is signed with Standard Webhooks headers.">
          {(id, describedBy) => <input id={id} aria-describedby={describedBy} type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.slack.com/services/…" />}
        </Field>
      ) : (
        <Field label="Recipients" hint="One address per line, or separated by commas. Sent through the SMTP server in SMTP_URL.">
          {(id, describedBy) => <textarea id={id} aria-describedby={describedBy} required rows={3} value={to} onChange={(e) => setTo(e.target.value)} placeholder="oncall@example.com" />}
        </Field>
      )}
      <ErrorBox error={action.error} />
      <FormActions busy={action.busy} label="Add channel" busyLabel="Adding…" onCancel={onCancel} />
    </form>
  );
}

function ChannelItem({ channel: c, busy, onTest, onToggle, onDelete }: { channel: AlertChannel; busy: boolean; onTest: () => void; onToggle: () => void; onDelete: () => void }) {
  const canWrite = useCan('config:write');
  return (
    <li className="alert-item">
      <div className="alert-head">
        <strong>{c.name}</strong>
        <Badge value={c.kind === 'webhook' ? 'delivering' : 'flag'} label={c.kind} />
        <Badge value={c.enabled ? 'enabled' : 'disabled'} />
      </div>
      <p className="mono truncate-line">{c.kind === 'webhook' ? c.url : (c.to ?? []).join(', ')}</p>
      {canWrite && (
      <div className="row-actions">
        <button type="button" className="small" onClick={onTest} disabled={busy}>
          Send test
        </button>
        <button type="button" className="small" onClick={onToggle} disabled={busy}>
          {c.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="small danger" onClick={onDelete} disabled={busy}>
          Delete
        </button>
      </div>
      )}
    </li>
  );
}

/** Where notices go: webhooks (their signing secret shown once) and email recipients; a test for each. */
export function AlertChannels() {
  const list = usePaged<AlertChannel>('/alerts/channels?limit=100');
  const canWrite = useCan('config:write');
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const action = useAction();
  const act = async (what: () => Promise<string>) => {
    setSaid(null);
    setRefused(null);
    const text = await action.run(what);
    if (text !== undefined) setSaid(text);
    list.reload();
  };
  const test = async (c: AlertChannel) => {
    setSaid(null);
    setRefused(null);
    const result = await action.run(() => api<AlertChannelTest>(`/alerts/channels/${c.id}/test`, { method: 'POST' }));
    if (result?.ok === true) setSaid(`Test notice sent to ${c.name}: ${result.detail}.`);
    if (result?.ok === false) setRefused(`The test notice did not reach ${c.name}: ${result.detail}`);
  };
  const toggle = (c: AlertChannel) =>
    act(async () => {
      await api(`/alerts/channels/${c.id}`, { method: 'PATCH', body: { enabled: !c.enabled } });
      return `${c.name} ${c.enabled ? 'disabled: it gets no notices' : 'enabled'}.`;
    });
  const remove = (c: AlertChannel) => {
    if (!window.confirm(`Delete the channel ${c.name}? It gets no more notices.`)) return;
    void act(async () => {
      await api(`/alerts/channels/${c.id}`, { method: 'DELETE' });
      return `${c.name} deleted.`;
    });
  };
  return (
    <section className="panel" aria-labelledby="channels-title">
      <div className="panel-header">
        <h2 id="channels-title">Channels</h2>
        {canWrite && (
          <button type="button" className="small primary" onClick={() => setAdding(true)}>
            Add channel
          </button>
        )}
      </div>
      <Notice>{said}</Notice>
      {refused !== null && (
        <p className="state error" role="alert">
          {refused}
        </p>
      )}
      <ErrorBox error={action.error ?? list.error} onRetry={list.reload} />
      {list.loading && list.data === undefined ? (
        <Loading what="Loading the channels" />
      ) : list.items.length === 0 ? (
        <Empty>No channel yet: alerts are kept in the history below but reach no one. Add a webhook or email recipients.</Empty>
      ) : (
        <ul className="alert-list">
          {list.items.map((c) => (
            <ChannelItem key={c.id} channel={c} busy={action.busy} onTest={() => void test(c)} onToggle={() => void toggle(c)} onDelete={() => remove(c)} />
          ))}
        </ul>
      )}
      <Dialog title="Add an alert channel" open={adding} onClose={() => setAdding(false)}>
        {adding && (
          <ChannelForm
            onCancel={() => setAdding(false)}
            onCreated={(c) => {
              setAdding(false);
              setSaid(`${c.name} added.`);
              if (c.secret !== undefined) setSecret({ name: c.name, secret: c.secret });
              list.reload();
            }}
          />
        )}
      </Dialog>
      {secret && <SecretOnce label={`Signing secret of ${secret.name}`} secret={secret.secret} onDone={() => setSecret(null)} />}
    </section>
  );
}
