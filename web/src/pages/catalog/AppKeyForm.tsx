import { useState, type FormEvent } from 'react';
import { api, type AppKeyCreated, type AppKeyScope } from '../../api';
import { ErrorBox, Field } from '../../components/ui';
import { useAction } from '../../hooks';
import { APP_KEY_SCOPES } from './app-key-scopes';

/** Creates a key for one store app: a name and the scopes it needs. */
export function AppKeyForm({ pid, onCreated }: { pid: string; onCreated: (key: AppKeyCreated) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<AppKeyScope[]>(APP_KEY_SCOPES.map((s) => s.scope));
  const action = useAction();
  const toggle = (scope: AppKeyScope, on: boolean) => setScopes((now) => APP_KEY_SCOPES.map((s) => s.scope).filter((s) => (s === scope ? on : now.includes(s))));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      action.setError('Scopes: choose at least one; a key without a scope could open nothing.');
      return;
    }
    const created = await action.run(() => api<AppKeyCreated>(`/apps/${encodeURIComponent(pid)}/keys`, { body: { scopes, ...(name.trim() ? { name: name.trim() } : {}) } }));
    if (created) {
      setName('');
      onCreated(created);
    }
  };
  return (
    <form className="form app-key-form" onSubmit={(e) => void submit(e)} aria-label={`New key for ${pid}`}>
      <Field label="Name" hint="Optional: what uses it, e.g. the app’s backend">
        {(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder="e.g. production backend" />}
      </Field>
      <fieldset>
        <legend>Scopes</legend>
        <div className="scope-grid">
          {APP_KEY_SCOPES.map((s) => (
            <label key={s.scope} className="checkbox scope-option">
              <input type="checkbox" checked={scopes.includes(s.scope)} onChange={(e) => toggle(s.scope, e.target.checked)} />
              <span>
                <span className="mono">{s.scope}</span> <span className="muted">{s.text}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorBox error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}
